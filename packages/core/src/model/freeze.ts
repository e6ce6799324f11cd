import type * as tf from "@tensorflow/tfjs";
import { callWithBatchStatistics } from "./batch-norm.ts";

type CallFn = tf.layers.Layer["call"];
const originalCall = new WeakMap<tf.layers.Layer, CallFn>();

/**
 * Freezes layers [0, n) and unfreezes the rest. Frozen BatchNormalization layers are made to run
 * in inference mode (moving statistics, no moving-average updates) even when the model is called
 * with `training: true`, as Keras does; tfjs-layers would otherwise normalise them with batch
 * statistics and drift their moving averages. With `batchNormStatistics: "moving"` the trainable
 * ones do the same (their gamma and beta still train). Trainable ones on batch statistics run
 * through the fused training-mode kernels of batch-norm.ts.
 */
export function freezeLayers(
  model: tf.LayersModel,
  n: number,
  batchNormStatistics: "batch" | "moving" = "batch",
): void {
  model.layers.forEach((layer, i) => {
    const frozen = i < n;
    layer.trainable = !frozen;
    if (layer.getClassName() !== "BatchNormalization") return;
    const base = originalCall.get(layer) ?? layer.call;
    originalCall.set(layer, base);
    layer.call =
      frozen || batchNormStatistics === "moving"
        ? (inputs, kwargs) => base.call(layer, inputs, { ...kwargs, training: false })
        : (inputs, kwargs) => callWithBatchStatistics(layer, inputs, kwargs, base);
  });
}
