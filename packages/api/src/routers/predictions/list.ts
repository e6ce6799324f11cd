import { listPredictions } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZListPredictionsInput } from "./list.types.ts";

export const listPredictionsRoute = publicProcedure
  .input(ZListPredictionsInput)
  .query(async ({ ctx, input }) => {
    const { runId, ...query } = input;
    return found(await listPredictions(ctx.store, runId, query), `run ${runId}`);
  });
