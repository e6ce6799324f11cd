import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZGetRunInput = z.object({ id: ZId });

export type GetRunInput = z.input<typeof ZGetRunInput>;
