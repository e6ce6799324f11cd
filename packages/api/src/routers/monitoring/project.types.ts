import { z } from "zod";
import { ZId, ZTimeWindow } from "../../inputs.ts";

/** A project's monitoring: its default model's, or run `runId`'s of the project. */
export const ZProjectMonitoringInput = z.object({
  projectId: ZId,
  runId: ZId.optional(),
  window: ZTimeWindow,
});

export type ProjectMonitoringInput = z.input<typeof ZProjectMonitoringInput>;
