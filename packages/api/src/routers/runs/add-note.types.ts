import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZAddNoteInput = z.object({ id: ZId, body: z.string().trim().min(1).max(10_000) });

export type AddNoteInput = z.input<typeof ZAddNoteInput>;
