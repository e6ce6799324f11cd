import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZCompareRunsInput = z.object({
  ids: z
    .array(ZId)
    .min(2)
    .max(8)
    .refine((ids) => new Set(ids).size === ids.length, "run ids must differ"),
});

export type CompareRunsInput = z.input<typeof ZCompareRunsInput>;
