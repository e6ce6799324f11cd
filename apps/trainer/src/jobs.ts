import { BACKENDS } from "@cxrlab/core/backend/select";
import { freezeUntilSchema } from "@cxrlab/core/config";
import { isPresetName, PRESET_NAMES } from "@cxrlab/core/presets";
import { z } from "zod";

/**
 * What a queued training job carries: the `cxrlab train` options (all but --out, --resume and
 * --json, which belong to the worker), with paths as the worker machines see them. The run it fills in is created (status queued) when it is queued.
 */
export const trainJobSchema = z.object({
  kind: z.literal("train"),
  runId: z.number().int().positive(),
  options: z
    .object({
      preset: z.string().refine(isPresetName, `expected one of ${PRESET_NAMES.join(", ")}`),
      data: z.string().min(1),
      test: z.string().min(1).optional(),
      weights: z.string().min(1).optional(),
      epochs: z.number().int().positive().optional(),
      batchSize: z.number().int().positive().optional(),
      microBatchSize: z.number().int().positive().optional(),
      lr: z.number().positive().optional(),
      momentum: z.number().min(0).max(1).optional(),
      freezeUntil: freezeUntilSchema.optional(),
      imageSize: z.number().int().positive().optional(),
      seed: z.number().int().nonnegative().optional(),
      views: z.number().int().positive().optional(),
      validationSplit: z.number().min(0).max(1).optional(),
      testSplit: z.number().min(0).max(1).optional(),
      splitBy: z.enum(["image", "patient"]).optional(),
      patients: z.string().min(1).optional(),
      cachePrefix: z.boolean().optional(),
      skipBad: z.boolean().optional(),
      name: z.string().min(1).optional(),
      classes: z.string().min(1).optional(),
      limitPerClass: z.number().int().positive().optional(),
      project: z.string().min(1).optional(),
      tag: z.array(z.string()).optional(),
      backend: z.enum(BACKENDS).optional(),
    })
    .strict(),
});

export type TrainJob = z.infer<typeof trainJobSchema>;
export type TrainJobOptions = TrainJob["options"];

/** Evaluation and batch-prediction jobs will join this union. */
export const jobSchema = trainJobSchema;
export type Job = z.infer<typeof jobSchema>;

/** Parses a job read back from the queue, naming the job when it does not fit. */
export function parseJob(id: string, data: unknown): Job {
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success)
    throw new Error(`queued job ${id} is not a valid job: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
