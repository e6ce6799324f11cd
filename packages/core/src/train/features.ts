import * as tf from "@tensorflow/tfjs";
import type { ExperimentConfig } from "../config.ts";
import { augmentsImages, type ImageRecord } from "../data/index.ts";
import type { ForwardEngine } from "../inference/engine.ts";
import { createRng, type Rng } from "../random.ts";
import type { InputLoader } from "./inputs.ts";
import { PhaseMeter, type ProgressListener } from "./progress.ts";

/**
 * Frozen-prefix outputs, one block per view: `views[v]` holds, for every record in order, the
 * prefix output of view v (flattened). View 0 is unaugmented when `augment` is false.
 */
export interface FeatureStore {
  shape: number[];
  size: number;
  count: number;
  views: Float32Array[];
}

export interface FeatureOptions {
  views: number;
  augment: boolean;
  rng: Rng;
  batchSize: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * Runs the frozen prefix once per image and view. The prefix is a fixed function of its input
 * (frozen weights, BatchNormalization in inference mode), so training the rest on these outputs is
 * the same computation as training the whole network, at a fraction of the cost. Being fixed, it
 * can run on any engine (onnxruntime by default: several times faster than tfjs on CPU).
 */
export async function computeFeatures(
  prefix: ForwardEngine,
  records: ImageRecord[],
  loader: InputLoader,
  options: FeatureOptions,
): Promise<FeatureStore> {
  const shape = prefix.outputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  const views = Array.from({ length: options.views }, () => new Float32Array(records.length * size));
  const meter = new PhaseMeter(options.onProgress, { phase: "cache", total: records.length * options.views });
  for (let v = 0; v < options.views; v++) {
    const viewRng = options.rng.fork();
    for await (const batch of loader.batches(
      records,
      options.batchSize,
      options.augment ? viewRng : undefined,
    )) {
      const { x, start, count } = batch;
      options.signal?.throwIfAborted();
      try {
        views[v]!.set(await prefix.run(x), start * size);
      } finally {
        x.dispose();
      }
      meter.advance(count);
    }
  }
  return { shape, size, count: records.length, views };
}

/** The frozen prefix's outputs for each split of a run. */
export interface SplitFeatures {
  train: FeatureStore;
  val: FeatureStore;
  test: FeatureStore;
}

/**
 * The cache a run trains on: training images once per cached view (augmented when the config
 * augments), validation images likewise when validation is augmented, test images once as they are.
 */
export async function cacheSplitFeatures(
  prefix: ForwardEngine,
  sets: { train: ImageRecord[]; validation: ImageRecord[]; test: ImageRecord[] },
  loader: InputLoader,
  { augmentation, seed }: Pick<ExperimentConfig, "augmentation" | "seed">,
  options: Pick<FeatureOptions, "onProgress" | "signal"> = {},
): Promise<SplitFeatures> {
  const augments = augmentsImages(augmentation);
  const views = augments ? augmentation.cachedViews : 1;
  const augmentValidation = augments && augmentation.augmentValidation;
  const opts = { batchSize: 8, rng: createRng(seed + 7), ...options };
  return {
    train: await computeFeatures(prefix, sets.train, loader, { ...opts, views, augment: augments }),
    val: await computeFeatures(prefix, sets.validation, loader, {
      ...opts,
      views: augmentValidation ? views : 1,
      augment: augmentValidation,
    }),
    test: await computeFeatures(prefix, sets.test, loader, { ...opts, views: 1, augment: false }),
  };
}

/** A batch of stored features as a tensor, each record from the view chosen for it. */
export function gatherFeatures(
  store: FeatureStore,
  indices: ArrayLike<number>,
  viewOf: (i: number) => number,
): tf.Tensor {
  const out = new Float32Array(indices.length * store.size);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    const view = store.views[viewOf(i)]!;
    out.set(view.subarray(r * store.size, (r + 1) * store.size), i * store.size);
  }
  return tf.tensor(out, [indices.length, ...store.shape]);
}
