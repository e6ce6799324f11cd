import * as tf from "@tensorflow/tfjs";

/** Probabilities below this count as this, so one confident mistake cannot make the loss infinite. */
const FLOOR = 1e-12;

/**
 * Mean negative log-likelihood of `labels` when each row of `probabilities` (n x k, softmax
 * outputs) is tempered: p_i^(1/t) / Σ_j p_j^(1/t), which is softmax(logits / t).
 */
export function temperedLoss(
  probabilities: Float32Array,
  labels: readonly number[],
  k: number,
  t: number,
): number {
  let sum = 0;
  for (let n = 0; n < labels.length; n++) {
    let norm = 0;
    let own = 0;
    for (let j = 0; j < k; j++) {
      const logit = Math.log(Math.max(probabilities[n * k + j] as number, FLOOR)) / t;
      norm += Math.exp(logit);
      if (j === labels[n]) own = logit;
    }
    sum += Math.log(norm) - own;
  }
  return sum / Math.max(labels.length, 1);
}

/**
 * The temperature in [0.05, 20] with the lowest tempered validation log-loss (Guo et al. 2017),
 * by golden-section search on log t (the loss is convex in 1/t for fixed logits).
 */
export function fitTemperature(probabilities: Float32Array, labels: readonly number[], k: number): number {
  if (labels.length === 0) throw new Error("temperature scaling needs at least one validation image");
  if (probabilities.length !== labels.length * k)
    throw new Error(`temperature scaling: ${probabilities.length} probabilities for ${labels.length} x ${k}`);
  const loss = (logT: number) => temperedLoss(probabilities, labels, k, Math.exp(logT));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  while (hi - lo > 1e-4) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Folds a temperature into the model's softmax output layer (kernel and bias divided by t), so
 * the model itself predicts softmax(logits / t) on every engine it is exported to.
 */
export function foldTemperature(model: tf.LayersModel, t: number): void {
  const output = model.layers.at(-1);
  const activation = (output?.getConfig() as { activation?: string } | undefined)?.activation;
  if (output?.getClassName() !== "Dense" || activation !== "softmax" || !output)
    throw new Error(
      `temperature scaling needs a Dense softmax output layer, found ${output?.name ?? "none"}`,
    );
  // getWeights() hands out the variables themselves: not disposed here.
  const scaled = tf.tidy(() => output.getWeights().map((w) => tf.div(w, t)));
  output.setWeights(scaled);
  tf.dispose(scaled);
}
