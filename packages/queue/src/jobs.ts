import { BACKENDS } from "@cxrlab/core/backend";
import { CONFIG_LIMITS, type SplitBy } from "@cxrlab/core/config";
import { isPresetName, PRESET_NAMES } from "@cxrlab/core/presets";
import { trainOverridesSchema } from "@cxrlab/core/train-overrides";
import { z } from "zod";

/**
 * Set only by `cxrlab queue add|evaluate|predict`, which write the queue with the user's own store
 * credentials: the worker trusts such a job's paths (when no account created its run). A job
 * without it (runs.create, or a server of another version) may read only inside CXRLAB_DATA_ROOTS.
 */
const origin = z.literal("cli").optional();

/**
 * What a queued training job carries: the `cxrlab train` options (all but --out, --resume and
 * --json, which belong to the worker): core's training overrides (trainOverridesSchema, the
 * config schema's own bounds, so a job is refused when queued) and the run's inputs, with paths as
 * the worker machines see them. The run it fills in is created (status queued) when it is queued.
 */
export const trainJobOptionsSchema = trainOverridesSchema
  .extend({
    preset: z.string().refine(isPresetName, `expected one of ${PRESET_NAMES.join(", ")}`),
    data: z.string().min(1).optional(),
    /** A dataset version of the project (NAME@VERSION) instead of `data`. */
    dataset: z.string().min(1).optional(),
    test: z.string().min(1).optional(),
    weights: z.string().min(1).optional(),
    patients: z.string().min(1).optional(),
    skipBad: z.boolean().optional(),
    classes: z.string().min(1).optional(),
    limitPerClass: z.number().int().positive().max(CONFIG_LIMITS.limitPerClass).optional(),
    project: z.string().min(1).optional(),
    tag: z.array(z.string()).optional(),
    backend: z.enum(BACKENDS).optional(),
  })
  .strict();

/** Training data is a folder (data) or a dataset version of the run's project (dataset): one of them. */
export const oneTrainingSource: [
  (o: { data?: string | undefined; dataset?: string | undefined }) => boolean,
  { message: string; path: string[] },
] = [
  (o) => (o.data === undefined) !== (o.dataset === undefined),
  {
    message: "give the training data as a folder (data) or a dataset version (dataset): one of them",
    path: ["data"],
  },
];

/**
 * The overrides a run trains with: on a dataset version, whose images carry their patients,
 * validation and a held-out test take whole patients unless `splitBy` says otherwise.
 */
export function trainingOverrides<T extends { dataset?: string | undefined; splitBy?: SplitBy | undefined }>(
  options: T,
): T {
  return options.dataset ? { ...options, splitBy: options.splitBy ?? "patient" } : options;
}

export const trainJobSchema = z.object({
  kind: z.literal("train"),
  runId: z.number().int().positive(),
  origin,
  options: trainJobOptionsSchema.refine(...oneTrainingSource),
});

export type TrainJob = z.infer<typeof trainJobSchema>;
export type TrainJobOptions = TrainJob["options"];

/** Options shared by the jobs that run a trained model over images. */
const inferenceOptions = {
  batchSize: z.number().int().positive().optional(),
  skipBad: z.boolean().optional(),
  backend: z.enum(BACKENDS).optional(),
};

/** Scores a run's model on a labelled folder; the evaluation is recorded under the run. */
export const evaluateJobSchema = z.object({
  kind: z.literal("evaluate"),
  runId: z.number().int().positive(),
  origin,
  options: z.object({ data: z.string().min(1), ...inferenceOptions }).strict(),
});

/** Classifies image files and folders with a run's model; the predictions are recorded under the run. */
export const predictJobSchema = z.object({
  kind: z.literal("predict"),
  runId: z.number().int().positive(),
  origin,
  options: z.object({ inputs: z.array(z.string().min(1)).min(1), ...inferenceOptions }).strict(),
});

/**
 * Classifies archived images (by id) with a run's model, recording the predictions under the run
 * and caching each image's Grad-CAM: queued when images arrive in a project with a default model
 * (see queueArrivalPredictions). It reads only files the store recorded, so it carries no paths.
 */
export const predictImagesJobSchema = z.object({
  kind: z.literal("predict-images"),
  runId: z.number().int().positive(),
  options: z
    .object({ imageIds: z.array(z.number().int().positive()).min(1), batchSize: inferenceOptions.batchSize })
    .strict(),
});

export type EvaluateJob = z.infer<typeof evaluateJobSchema>;
export type PredictJob = z.infer<typeof predictJobSchema>;
export type PredictImagesJob = z.infer<typeof predictImagesJobSchema>;

/** Every job carries the run it belongs to: the run it trains, or the run whose model it uses. */
export const jobSchema = z.discriminatedUnion("kind", [
  trainJobSchema,
  evaluateJobSchema,
  predictJobSchema,
  predictImagesJobSchema,
]);
export type Job = z.infer<typeof jobSchema>;
export type JobKind = Job["kind"];

/** Parses a job read back from the queue, naming the job when it does not fit. */
export function parseJob(id: string, data: unknown): Job {
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success)
    throw new Error(`queued job ${id} is not a valid job: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
