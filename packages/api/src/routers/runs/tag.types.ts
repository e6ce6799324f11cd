import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZRunTagInput = z.object({ id: ZId, tag: z.string().trim().min(1).max(64) });

export type RunTagInput = z.input<typeof ZRunTagInput>;
