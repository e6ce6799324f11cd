import { RUN_SORT_KEYS } from "@cxrlab/db";
import { RUN_STATUSES } from "@cxrlab/validators/run-status";
import { z } from "zod";
import { boundsInOrder, ZDateFrom, ZDateTo, ZDir, ZFraction, ZPage, ZPageSize } from "../../inputs.ts";

export const ZListRunsInput = z
  .object({
    /** Part of the run name, any case. */
    q: z.string().trim().max(200).optional(),
    status: z.array(z.enum(RUN_STATUSES)).optional(),
    preset: z.array(z.string().min(1)).optional(),
    /** Only runs of the project of this name. */
    project: z.string().trim().min(1).max(200).optional(),
    tag: z.string().min(1).optional(),
    /** Only runs the viewer starred. */
    starred: z.boolean().optional(),
    createdFrom: ZDateFrom.optional(),
    /** Inclusive; a bare date means the whole day. */
    createdTo: ZDateTo.optional(),
    /** Bounds on the test evaluation's accuracy, 0..1. */
    minAccuracy: ZFraction.optional(),
    maxAccuracy: ZFraction.optional(),
    sort: z.enum(RUN_SORT_KEYS).optional(),
    dir: ZDir.optional(),
    page: ZPage.default(1),
    pageSize: ZPageSize.default(50),
  })
  .superRefine(boundsInOrder("minAccuracy", "maxAccuracy"));

export type ListRunsInput = z.input<typeof ZListRunsInput>;
