import { PromotionRefused, promoteRun } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZPromoteRunInput } from "./promote.types.ts";

export const promoteRunRoute = operationProcedure("runs.promote")
  .input(ZPromoteRunInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const promotion = await promoteRun(ctx.store, projectId, input.id, ctx.viewer.userId).catch((error) => {
      if (error instanceof PromotionRefused)
        throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
      throw error;
    });
    await ctx.audit({
      action: "run.promote",
      targetType: "run",
      targetId: String(input.id),
      projectId,
      details: { promotionId: promotion.id, modelLocation: promotion.modelLocation },
    });
    return promotion;
  });
