import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The caller's reading of a prediction's image: one of its run's classes, or "uncertain". */
export const ZSubmitReviewInput = z.object({
  predictionId: ZId,
  label: z.string().min(1).max(200),
  comment: z.string().max(2000).optional(),
});

export type SubmitReviewInput = z.input<typeof ZSubmitReviewInput>;
