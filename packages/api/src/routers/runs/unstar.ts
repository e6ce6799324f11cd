import { unstarRun } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRunStarInput } from "./star.types.ts";

export const unstarRoute = operationProcedure("runs.unstar")
  .input(ZRunStarInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const state = await unstarRun(ctx.store, input.id, ctx.viewer.userId);
    await ctx.audit({ action: "run.unstar", targetType: "run", targetId: String(input.id), projectId });
    return state;
  });
