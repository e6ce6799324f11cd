import * as tf from "@tensorflow/tfjs";
import { sparseCategoricalCrossentropy } from "./loss.ts";
import { decayKernels, learningRateOf } from "./optimizer.ts";

export interface StepOptions {
  /** Label smoothing ε of the loss (0 = off). */
  labelSmoothing?: number;
  /** Decoupled weight decay: kernels shrink by the optimizer's learning rate × this before the update. */
  weightDecay?: number;
}

export interface StepResult {
  /** Sum of per-example losses over the batch. */
  lossSum: number;
  correct: number;
}

/**
 * One optimisation step on a batch, run as micro-batches whose gradients are summed before the
 * update, so a batch of 32 fits in wasm's 4 GB heap. The loss is the batch mean, as in Keras.
 * BatchNormalization layers in training mode see micro-batch statistics.
 */
export function trainStep(
  net: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  labels: Int32Array,
  microBatchSize: number,
  options: StepOptions = {},
): StepResult {
  const { labelSmoothing = 0, weightDecay = 0 } = options;
  const n = labels.length;
  const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
  let accumulated: tf.Tensor[] | null = null;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += microBatchSize) {
    const size = Math.min(microBatchSize, n - start);
    const { value, grads, hits } = tf.tidy(() => {
      const xb = x.slice(start, size);
      const yb = tf.tensor1d(labels.subarray(start, start + size), "int32");
      const out: { hits?: tf.Scalar } = {};
      const { value, grads } = tf.variableGrads(() => {
        const probs = net.apply(xb, { training: true }) as tf.Tensor2D;
        out.hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), yb), "int32")) as tf.Scalar);
        return tf.div(tf.sum(sparseCategoricalCrossentropy(probs, yb, labelSmoothing)), n) as tf.Scalar;
      }, vars);
      return { value, grads: vars.map((v) => grads[v.name]!), hits: out.hits! };
    });
    lossSum += value.dataSync()[0]! * n;
    correct += hits.dataSync()[0]!;
    value.dispose();
    hits.dispose();
    if (accumulated === null) accumulated = grads;
    else {
      const prev: tf.Tensor[] = accumulated;
      accumulated = prev.map((g, i) => tf.add(g, grads[i]!));
      tf.dispose([...prev, ...grads]);
    }
  }
  const final = accumulated ?? [];
  decayKernels(vars, learningRateOf(optimizer) * weightDecay);
  optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: final[i]! })));
  tf.dispose(final);
  return { lossSum, correct };
}

/** Class probabilities for `x` in inference mode, in batches. */
export function predictProbabilities(net: tf.LayersModel, x: tf.Tensor, batchSize: number): Float32Array {
  const n = x.shape[0]!;
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const probs = tf.tidy(() => net.apply(x.slice(start, size), { training: false }) as tf.Tensor);
    parts.push(probs.dataSync() as Float32Array);
    probs.dispose();
  }
  return concatFloat32(parts);
}

export function concatFloat32(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
