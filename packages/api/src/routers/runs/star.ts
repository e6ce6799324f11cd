import { starRun } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRunStarInput } from "./star.types.ts";

export const starRoute = operationProcedure("runs.star")
  .input(ZRunStarInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const state = await starRun(ctx.store, input.id, ctx.viewer.userId);
    await ctx.audit({ action: "run.star", targetType: "run", targetId: String(input.id), projectId });
    return state;
  });
