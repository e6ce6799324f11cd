import type * as tf from "@tensorflow/tfjs";
import type { ExperimentConfig } from "../config.ts";
import type { Rng } from "../random.ts";
import { applyImageNetWeights, type WeightMap } from "../weights/index.ts";
import { buildDenseNet } from "./densenet.ts";
import { freezeLayers } from "./freeze.ts";
import { seededInitialize } from "./init.ts";
import { type ModelSummary, resolveFreezeUntil, summarizeModel } from "./summary.ts";

export interface BuiltModel {
  model: tf.LayersModel;
  /** Layers [0, freezeUntil) are frozen. */
  freezeUntil: number;
  summary: ModelSummary;
}

/**
 * The network `config` describes, for `numClasses` classes, frozen as its training settings say:
 * what `cxrlab train` trains and `cxrlab model summary` describes. With `rng` every weight starts
 * from that seed; `weights` (ImageNet) then overwrite the backbone's.
 */
export function buildModelFromConfig(
  config: ExperimentConfig,
  numClasses: number,
  { rng, weights }: { rng?: Rng; weights?: WeightMap } = {},
): BuiltModel {
  const model = buildDenseNet({
    architecture: config.architecture,
    imageSize: config.preprocessing.imageSize,
    numClasses,
    head: config.head,
  });
  if (rng) seededInitialize(model, rng);
  if (weights) applyImageNetWeights(model, weights);
  const freezeUntil = resolveFreezeUntil(
    config.training.freezeUntil,
    config.architecture,
    model.layers.length,
  );
  freezeLayers(model, freezeUntil, config.training.batchNormStatistics);
  const summary = summarizeModel(model, config.architecture, config.preprocessing.imageSize, freezeUntil);
  return { model, freezeUntil, summary };
}
