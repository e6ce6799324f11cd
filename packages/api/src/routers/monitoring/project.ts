import { projectMonitoring } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZProjectMonitoringInput } from "./project.types.ts";

/** Agreement with reviewers and input drift of the project's default model (or a run of it). */
export const projectMonitoringRoute = operationProcedure("monitoring.project")
  .input(ZProjectMonitoringInput)
  .query(async ({ ctx, input }) => {
    ctx.access.require(input.projectId);
    return found(await projectMonitoring(ctx.store, input.projectId, input), `project ${input.projectId}`);
  });
