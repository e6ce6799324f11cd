import { runMonitoring } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRunMonitoringInput } from "./run.types.ts";

/** Agreement with reviewers and input drift of the run's model on its project's arriving images. */
export const runMonitoringRoute = operationProcedure("monitoring.run")
  .input(ZRunMonitoringInput)
  .query(async ({ ctx, input }) => {
    await requireRun(ctx, input.id);
    return found(await runMonitoring(ctx.store, input.id, input), `run ${input.id}`);
  });
