/** Fixtures for the Grad-CAM tests: an ImageNet DenseNet with a seeded head, and real X-rays. */
import { readdirSync } from "node:fs";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { ExperimentConfig } from "../config.ts";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { buildDenseNet } from "../model/densenet.ts";
import { seededInitialize } from "../model/init.ts";
import type { SaveModelMeta } from "../model/io.ts";
import { sharedPaths } from "../paths.ts";
import { resolveConfig } from "../presets.ts";
import { createRng } from "../random.ts";
import { applyImageNetWeights, loadWeightSource } from "../weights/index.ts";

/** The class names every test shares (core's labels.ts), as a plain array. */
export const CLASS_NAMES: string[] = [...CXR_CLASS_NAMES];

/** The `quick` preset at `imageSize` (ImageNet normalisation, bilinear resize). */
export function testConfig(imageSize: number): ExperimentConfig {
  const quick = resolveConfig("quick");
  return resolveConfig("quick", { preprocessing: { ...quick.preprocessing, imageSize } });
}

/** DenseNet169 with the shared ImageNet weights and a head initialised from `seed`, as train() builds it. */
export async function imagenetDenseNet(imageSize: number, seed = 7): Promise<tf.LayersModel> {
  const config = testConfig(imageSize);
  const model = buildDenseNet({ architecture: "densenet169", imageSize, numClasses: 3, head: config.head });
  seededInitialize(model, createRng(seed));
  applyImageNetWeights(model, await loadWeightSource(sharedPaths.imagenetWeights()));
  return model;
}

export function testModelMeta(imageSize: number): SaveModelMeta {
  const config = testConfig(imageSize);
  return {
    architecture: "densenet169",
    imageSize,
    classNames: CLASS_NAMES,
    preprocessing: config.preprocessing,
    freezeUntil: config.training.freezeUntil,
    config,
  };
}

/** The first `perClass` X-rays (by name) of each class of the shared sample. */
export function sampleXrays(perClass = 1): string[] {
  return CLASS_NAMES.flatMap((c) => {
    const dir = path.join(sharedPaths.sample(), c);
    return readdirSync(dir)
      .sort()
      .slice(0, perClass)
      .map((f) => path.join(dir, f));
  });
}
