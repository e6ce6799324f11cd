import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/*
 * Batch normalization in training mode (batch statistics) as one kernel and one gradient kernel.
 * tfjs-layers builds it from moments, batchNorm and their gradients: a dozen broadcast kernels,
 * each a pass over the activation, which made batch normalization a third of a DenseNet training
 * step on wasm. Here the forward pass reads x twice (statistics, then y) and the backward pass
 * reads dy and x twice (two per-channel sums, then dx), all in JS on the backend's own memory.
 * Registered for wasm and cpu; elsewhere trainingBatchNorm returns null and the layer runs as is.
 */

/** The forward kernel's name: unregister it for a backend to run the layers' own (bench/train-step.ts). */
export const TRAINING_KERNEL = "CxrlabBatchNormTraining";
const TRAINING_GRAD_KERNEL = "CxrlabBatchNormTrainingGrad";
const BACKENDS = ["wasm", "cpu"] as const;

type Info = tf.TensorInfo;
type KernelArgs = Parameters<tf.KernelFunc>[0];
interface Attrs {
  epsilon: number;
}

/**
 * Per channel c of rows × channels data: sumU[c] = Σ u, sumUV[c] = Σ u·v (float64). Four rows per
 * pass over the accumulators, a quarter of their traffic: 4-5x faster than one row at a time.
 */
function channelSums(u: Float32Array, v: Float32Array, sumU: Float64Array, sumUV: Float64Array): void {
  const channels = sumU.length;
  const rows = u.length / channels;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * channels;
    const b1 = b0 + channels;
    const b2 = b1 + channels;
    const b3 = b2 + channels;
    for (let c = 0; c < channels; c++) {
      const u0 = u[b0 + c]!;
      const u1 = u[b1 + c]!;
      const u2 = u[b2 + c]!;
      const u3 = u[b3 + c]!;
      sumU[c]! += u0 + u1 + u2 + u3;
      sumUV[c]! += u0 * v[b0 + c]! + u1 * v[b1 + c]! + u2 * v[b2 + c]! + u3 * v[b3 + c]!;
    }
  }
  for (; r < rows; r++) {
    for (let c = 0, b = r * channels; c < channels; c++) {
      sumU[c]! += u[b + c]!;
      sumUV[c]! += u[b + c]! * v[b + c]!;
    }
  }
}

/** out = a·u + b·v + k, a, b and k per channel; four rows per pass over them. */
function channelAffine(
  u: Float32Array,
  v: Float32Array,
  a: Float32Array,
  b: Float32Array,
  k: Float32Array,
  out: Float32Array,
): void {
  const channels = a.length;
  const rows = u.length / channels;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * channels;
    const b1 = b0 + channels;
    const b2 = b1 + channels;
    const b3 = b2 + channels;
    for (let c = 0; c < channels; c++) {
      const ac = a[c]!;
      const bc = b[c]!;
      const kc = k[c]!;
      out[b0 + c] = ac * u[b0 + c]! + bc * v[b0 + c]! + kc;
      out[b1 + c] = ac * u[b1 + c]! + bc * v[b1 + c]! + kc;
      out[b2 + c] = ac * u[b2 + c]! + bc * v[b2 + c]! + kc;
      out[b3 + c] = ac * u[b3 + c]! + bc * v[b3 + c]! + kc;
    }
  }
  for (; r < rows; r++) {
    for (let c = 0, at = r * channels; c < channels; c++)
      out[at + c] = a[c]! * u[at + c]! + b[c]! * v[at + c]! + k[c]!;
  }
}

/**
 * Per channel c of x (channels last, the others reduced): mean, biased variance and
 * invStd = 1/√(variance + ε); y = (x − mean)·invStd·gamma + beta.
 */
export function batchNormForward(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
  out: { y: Float32Array; mean: Float32Array; variance: Float32Array; invStd: Float32Array },
): void {
  const channels = gamma.length;
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  channelSums(x, x, sum, squares);
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const mean = sum[c]! / rows;
    // Sums of float32 values in float64 lose nothing a float32 variance would keep.
    const variance = Math.max(0, squares[c]! / rows - mean * mean);
    const invStd = 1 / Math.sqrt(variance + epsilon);
    out.mean[c] = mean;
    out.variance[c] = variance;
    out.invStd[c] = invStd;
    scale[c] = invStd * gamma[c]!;
    shift[c] = beta[c]! - mean * invStd * gamma[c]!;
  }
  channelAffine(x, x, scale, new Float32Array(channels), shift, out.y);
}

/**
 * With x̂ = (x − mean)·invStd over the M = rows reduced positions: dbeta = Σ dy, dgamma = Σ dy·x̂,
 * dx = gamma·invStd·(dy − dbeta/M − x̂·dgamma/M), written as dx = a·dy + b·x + k per channel.
 */
export function batchNormBackward(
  dy: Float32Array,
  x: Float32Array,
  mean: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  out: { dx: Float32Array; dgamma: Float32Array; dbeta: Float32Array },
): void {
  const channels = gamma.length;
  const rows = x.length / channels;
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  channelSums(dy, x, sumDy, sumDyX);
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  const k = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = invStd[c]!;
    const m = mean[c]!;
    const dbeta = sumDy[c]!;
    const dgamma = (sumDyX[c]! - m * dbeta) * s;
    out.dbeta[c] = dbeta;
    out.dgamma[c] = dgamma;
    const ac = gamma[c]! * s;
    const bc = (-ac * s * dgamma) / rows;
    a[c] = ac;
    b[c] = bc;
    k[c] = (-ac * dbeta) / rows - bc * m;
  }
  channelAffine(dy, x, a, b, k, out.dx);
}

/** Float32 views of inputs and fresh outputs on the kernel's backend (wasm: its heap; cpu: its arrays). */
function io(
  backend: object,
  inputs: Info[],
  outShapes: number[][],
): [Float32Array[], Float32Array[], Info[]] {
  if ("typedArrayFromHeap" in backend) {
    const wasm = backend as BackendWasm;
    // Outputs first: allocating may grow the heap and detach earlier views.
    const outs = outShapes.map((s) => wasm.makeOutput(s, "float32"));
    const view = (t: Info) => wasm.typedArrayFromHeap(t) as Float32Array;
    return [inputs.map(view), outs.map(view), outs];
  }
  // The cpu backend (MathBackendCPU): readSync hands over its stored array without copying.
  const cpu = backend as tf.KernelBackend & {
    makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): Info;
  };
  const outArrays = outShapes.map((s) => new Float32Array(tf.util.sizeFromShape(s)));
  const outs = outShapes.map((s, i) => cpu.makeTensorInfo(s, "float32", outArrays[i]!));
  return [inputs.map((t) => cpu.readSync(t.dataId) as Float32Array), outArrays, outs];
}

function forwardKernel({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { x, gamma, beta } = inputs as { x: Info; gamma: Info; beta: Info };
  const c = [gamma.shape[0]!];
  const [[xs, g, b], [y, mean, variance, invStd], outs] = io(backend, [x, gamma, beta], [x.shape, c, c, c]);
  batchNormForward(xs!, g!, b!, (attrs as unknown as Attrs).epsilon, {
    y: y!,
    mean: mean!,
    variance: variance!,
    invStd: invStd!,
  });
  return outs;
}

function backwardKernel({ inputs, backend }: KernelArgs): Info[] {
  const { dy, x, mean, invStd, gamma } = inputs as Record<string, Info>;
  const c = [gamma!.shape[0]!];
  const [[d, xs, m, s, g], [dx, dgamma, dbeta], outs] = io(
    backend,
    [dy!, x!, mean!, invStd!, gamma!],
    [x!.shape, c, c],
  );
  batchNormBackward(d!, xs!, m!, s!, g!, { dx: dx!, dgamma: dgamma!, dbeta: dbeta! });
  return outs;
}

let registered = false;

function register(): void {
  if (registered) return;
  for (const backendName of BACKENDS) {
    tf.registerKernel({ kernelName: TRAINING_KERNEL, backendName, kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: TRAINING_GRAD_KERNEL, backendName, kernelFunc: backwardKernel });
  }
  tf.registerGradient({
    kernelName: TRAINING_KERNEL,
    inputsToSave: ["x", "gamma"],
    // Outputs: y, mean, variance, invStd.
    outputsToSave: [false, true, false, true],
    gradFunc: (dys, saved) => {
      const [x, gamma, mean, invStd] = saved as tf.Tensor[];
      const dy = (dys as tf.Tensor[])[0]!;
      // One kernel gives all three gradients; the engine asks for them one at a time.
      const [dx, dgamma, dbeta] = tf.engine().runKernel(TRAINING_GRAD_KERNEL, {
        dy,
        x: x!,
        mean: mean!,
        invStd: invStd!,
        gamma: gamma!,
      }) as tf.Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
  registered = true;
}

/**
 * Batch normalization of float32 x over every axis but the last with batch statistics:
 * { y, mean, variance } (variance biased, as tfjs-layers and Keras use for the moving average),
 * differentiable in x, gamma and beta. null where the active backend has no fused kernel.
 */
export function trainingBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } | null {
  register();
  if (!tf.getKernel(TRAINING_KERNEL, tf.getBackend()) || x.dtype !== "float32") return null;
  const [y, mean, variance] = tf
    .engine()
    .runKernel(TRAINING_KERNEL, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The parts of a tfjs-layers BatchNormalization (private in its typings) its training call uses. */
interface BatchNormLayer {
  axis: number;
  center: boolean;
  scale: boolean;
  epsilon: number;
  momentum: number;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/**
 * A BatchNormalization layer's call with `training: true` through the fused kernels: batch
 * statistics, and the moving averages updated as tfjs-layers does (moving −= (moving − batch)·(1 −
 * momentum)). `fallback` (the layer's own call) runs what the kernels do not cover: a channel axis
 * other than the last, no gamma or beta, or a backend without them.
 */
export function callWithBatchStatistics(
  layer: tf.layers.Layer,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
  fallback: tf.layers.Layer["call"],
): tf.Tensor | tf.Tensor[] {
  const bn = layer as unknown as BatchNormLayer;
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs;
  const channelsLast = x !== null && (bn.axis === -1 || bn.axis === x.rank - 1);
  if (!kwargs.training || !channelsLast || !bn.center || !bn.scale)
    return fallback.call(layer, inputs, kwargs);
  return tf.tidy(() => {
    const out = trainingBatchNorm(
      x,
      bn.gamma.read() as tf.Tensor1D,
      bn.beta.read() as tf.Tensor1D,
      bn.epsilon,
    );
    if (!out) return fallback.call(layer, inputs, kwargs) as tf.Tensor;
    const decay = 1 - bn.momentum;
    for (const [variable, batch] of [
      [bn.movingMean, out.mean],
      [bn.movingVariance, out.variance],
    ] as const) {
      const moving = variable.read();
      variable.write(tf.sub(moving, tf.mul(tf.sub(moving, batch), decay)));
    }
    return out.y;
  });
}
