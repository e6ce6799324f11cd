import { z } from "zod";
import { ZId, ZTimeWindow } from "../../inputs.ts";

/** A run's monitoring on its project's arriving images. */
export const ZRunMonitoringInput = z.object({ id: ZId, window: ZTimeWindow });

export type RunMonitoringInput = z.input<typeof ZRunMonitoringInput>;
