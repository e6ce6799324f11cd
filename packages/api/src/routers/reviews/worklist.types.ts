import { WORKLIST_STATUSES } from "@cxrlab/db";
import { z } from "zod";
import { ZDateFrom, ZDateTo, ZFraction, ZId, ZPage, ZPageSize } from "../../inputs.ts";

/** The caller's worklist in one project: archive images a run predicted, most urgent first. */
export const ZWorklistInput = z.object({
  projectId: ZId,
  /** The model listed; default the project's default model (else its newest run that predicted the archive). */
  runId: ZId.optional(),
  /** Reviewed by me or not; default unreviewed. */
  status: z.enum(WORKLIST_STATUSES).default("unreviewed"),
  predictedLabel: z.string().min(1).max(200).optional(),
  minConfidence: ZFraction.optional(),
  /** Study date bounds; a bare `to` date includes that day. */
  from: ZDateFrom.optional(),
  to: ZDateTo.optional(),
  page: ZPage.default(1),
  pageSize: ZPageSize.default(50),
});

export type WorklistInput = z.input<typeof ZWorklistInput>;
