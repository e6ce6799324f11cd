import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZRemoveMemberInput = z.object({ projectId: ZId, userId: z.string().min(1) });

export type RemoveMemberInput = z.input<typeof ZRemoveMemberInput>;
