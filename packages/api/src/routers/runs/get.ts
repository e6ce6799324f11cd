import { getRun, projectDefaultModel, runStarState } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZGetRunInput } from "./get.types.ts";

export const getRunRoute = operationProcedure("runs.get")
  .input(ZGetRunInput)
  .query(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const run = found(await getRun(ctx.store, input.id), `run ${input.id}`);
    const [{ starred, stars }, defaultModel] = await Promise.all([
      runStarState(ctx.store, run.id, ctx.viewer.userId),
      projectDefaultModel(ctx.store, projectId),
    ]);
    // The project's current default model (perhaps another run's), and whether it is this run's.
    return { ...run, starred, stars, defaultModel, isDefaultModel: defaultModel?.runId === run.id };
  });
