import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZCancelRunInput = z.object({ id: ZId });

export type CancelRunInput = z.input<typeof ZCancelRunInput>;
