import { DATASET_NAME } from "@cxrlab/validators/datasets";
import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The next version of a dataset made from the project's reviews (folders are the CLI's `--include`). */
export const ZCreateDatasetInput = z.object({
  projectId: ZId,
  name: z
    .string()
    .regex(DATASET_NAME, "use up to 64 letters, digits, . _ or -, starting with a letter or digit"),
  minReviewers: z.number().int().positive().max(100).default(1),
});

export type CreateDatasetInput = z.input<typeof ZCreateDatasetInput>;
