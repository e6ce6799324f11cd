import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The patient's row id, the run whose predictions to send and the PACS source (of the patient's project). */
export const ZPacsPushInput = z.object({ id: ZId, runId: ZId, source: z.string().trim().min(1).max(200) });

export type PacsPushInput = z.input<typeof ZPacsPushInput>;
