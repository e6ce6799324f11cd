import type * as tf from "@tensorflow/tfjs";
import type { Architecture, FreezeUntil } from "../config.ts";
import { backboneLayerCount } from "./densenet.ts";

export interface ModelSummary {
  architecture: Architecture;
  imageSize: number;
  layers: number;
  backboneLayers: number;
  freezeUntil: number;
  firstTrainableLayer: string | null;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

/** Resolves `"all"` to the backbone's layer count, and checks N is inside the model. */
export function resolveFreezeUntil(
  freeze: FreezeUntil,
  architecture: Architecture,
  layerCount: number,
): number {
  const n = freeze === "all" ? backboneLayerCount(architecture) : freeze;
  if (n > layerCount) throw new Error(`--freeze-until ${n} is past the model's ${layerCount} layers`);
  return n;
}

const count = (weights: tf.LayerVariable[]) =>
  weights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);

/** Parameter counts as Keras' `model.summary()` reports them. */
export function summarizeModel(
  model: tf.LayersModel,
  architecture: Architecture,
  imageSize: number,
  freezeUntil: number,
): ModelSummary {
  const trainableParams = count(model.trainableWeights);
  const nonTrainableParams = count(model.nonTrainableWeights);
  return {
    architecture,
    imageSize,
    layers: model.layers.length,
    backboneLayers: backboneLayerCount(architecture),
    freezeUntil,
    firstTrainableLayer: model.layers[freezeUntil]?.name ?? null,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
  };
}
