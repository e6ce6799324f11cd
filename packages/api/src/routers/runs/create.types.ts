import path from "node:path";
import { oneTrainingSource, trainJobOptionsSchema } from "@cxrlab/queue";
import { parseDatasetRef } from "@cxrlab/validators/datasets";
import { z } from "zod";
import { ZId } from "../../inputs.ts";
import { ZTagName } from "./tag.types.ts";

const jobOptions = trainJobOptionsSchema;

const datasetRef = z.string().refine((ref) => {
  try {
    parseDatasetRef(ref);
    return true;
  } catch {
    return false;
  }
}, "expected NAME@VERSION, e.g. ward-reviews@1");

/** The worker resolves a relative path against its own working folder, not the dashboard's. */
const workerPath = (schema: z.ZodString) =>
  schema.refine(path.isAbsolute, "give the full path (from /) as the workers see it");

/**
 * A run to queue: its project, its data (a folder or a dataset version), and the `cxrlab train` options the form offers, taken from the job
 * schema (core's config schema checks the overrides when the run is created).
 */
export const ZCreateRunInput = jobOptions
  .pick({
    preset: true,
    name: true,
    epochs: true,
    batchSize: true,
    lr: true,
    freezeUntil: true,
    imageSize: true,
    seed: true,
    views: true,
    limitPerClass: true,
  })
  .extend({
    projectId: ZId,
    data: workerPath(jobOptions.shape.data.unwrap()).optional(),
    /** A dataset version of the project instead of a folder. */
    dataset: datasetRef.optional(),
    test: workerPath(jobOptions.shape.test.unwrap()).optional(),
    tag: z.array(ZTagName).max(20).optional(),
  })
  .refine(...oneTrainingSource);

export type CreateRunInput = z.input<typeof ZCreateRunInput>;
