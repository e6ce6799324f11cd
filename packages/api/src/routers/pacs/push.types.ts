import { z } from "zod";
import { ZId } from "../../inputs.ts";

/**
 * The patient's row id, the run whose predictions to send, the PACS source (of the patient's
 * project) and whether to send each image's Grad-CAM overlay too (a Secondary Capture).
 */
export const ZPacsPushInput = z.object({
  id: ZId,
  runId: ZId,
  source: z.string().trim().min(1).max(200),
  gradCam: z.boolean().default(false),
});

export type PacsPushInput = z.input<typeof ZPacsPushInput>;
