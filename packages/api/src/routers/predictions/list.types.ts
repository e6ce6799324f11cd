import { PREDICTION_SORT_KEYS } from "@cxrlab/db";
import { z } from "zod";
import { boundsInOrder, ZDir, ZFraction, ZId, ZPage, ZPageSize } from "../../inputs.ts";

export const ZListPredictionsInput = z
  .object({
    runId: ZId,
    /** true: wrong predictions only; false: right ones only. */
    misclassified: z.boolean().optional(),
    trueLabel: z.string().min(1).optional(),
    predictedLabel: z.string().min(1).optional(),
    /** Bounds on the predicted label's probability, 0..1. */
    minConfidence: ZFraction.optional(),
    maxConfidence: ZFraction.optional(),
    sort: z.enum(PREDICTION_SORT_KEYS).optional(),
    dir: ZDir.optional(),
    page: ZPage.default(1),
    pageSize: ZPageSize.default(60),
  })
  .superRefine(boundsInOrder("minConfidence", "maxConfidence"));

export type ListPredictionsInput = z.input<typeof ZListPredictionsInput>;
