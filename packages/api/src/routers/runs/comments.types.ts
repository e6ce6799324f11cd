import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZRunCommentsInput = z.object({ id: ZId });

export type RunCommentsInput = z.input<typeof ZRunCommentsInput>;
