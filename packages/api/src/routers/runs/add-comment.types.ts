import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** `@` + a project member's email (or the part before its `@`) in the body mentions them. */
export const ZAddCommentInput = z.object({ id: ZId, body: z.string().trim().min(1).max(10_000) });

export type AddCommentInput = z.input<typeof ZAddCommentInput>;
