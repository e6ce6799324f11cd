import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The patient's row id and the PACS source (of the patient's project) to pull from. */
export const ZPacsPullInput = z.object({ id: ZId, source: z.string().trim().min(1).max(200) });

export type PacsPullInput = z.input<typeof ZPacsPullInput>;
