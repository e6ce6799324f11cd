import { listPredictions } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZListPredictionsInput } from "./list.types.ts";

export const listPredictionsRoute = operationProcedure("predictions.list")
  .input(ZListPredictionsInput)
  .query(async ({ ctx, input }) => {
    const { runId, ...query } = input;
    await requireRun(ctx, runId);
    return found(await listPredictions(ctx.store, runId, query), `run ${runId}`);
  });
