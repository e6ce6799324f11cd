import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** A run tag as people type it. */
export const ZTagName = z.string().trim().min(1).max(64);

export const ZRunTagInput = z.object({ id: ZId, tag: ZTagName });

export type RunTagInput = z.input<typeof ZRunTagInput>;
