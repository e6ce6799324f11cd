import path from "node:path";
import { trainJobSchema } from "@cxrlab/queue";
import { z } from "zod";
import { ZId } from "../../inputs.ts";
import { ZTagName } from "./tag.types.ts";

const jobOptions = trainJobSchema.shape.options;

/** The worker resolves a relative path against its own working folder, not the dashboard's. */
const workerPath = (schema: z.ZodString) =>
  schema.refine(path.isAbsolute, "give the full path (from /) as the workers see it");

/**
 * A run to queue: its project, and the `cxrlab train` options the form offers, taken from the job
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
    data: workerPath(jobOptions.shape.data),
    test: workerPath(jobOptions.shape.test.unwrap()).optional(),
    tag: z.array(ZTagName).max(20).optional(),
  });

export type CreateRunInput = z.input<typeof ZCreateRunInput>;
