import { promotionHistory } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRunPromotionsInput } from "./promotions.types.ts";

/** Every promotion of a model to the run's project's default, newest (the current one) first. */
export const runPromotionsRoute = operationProcedure("runs.promotions")
  .input(ZRunPromotionsInput)
  .query(async ({ ctx, input }) => promotionHistory(ctx.store, await requireRun(ctx, input.id)));
