import * as tf from "@tensorflow/tfjs";
import { type GradCamHead, type GradCamModel, splitForGradCam } from "./split.ts";

/** Which class to explain: one index for every image, one per image, or each image's top class. */
export type GradCamTarget = number | readonly number[] | "predicted";

export interface GradCam {
  /** Class-discriminative map in [0, 1], H' x W' row-major (8 x 8 for DenseNet at 256 px). */
  heatmap: Float32Array;
  height: number;
  width: number;
  /** The class explained. */
  classIndex: number;
  /** The model's probability (after softmax) for that class. */
  probability: number;
  probabilities: Float32Array;
  /** Grad-CAM's weight per channel: the spatial mean of d logit / d activation. */
  channelWeights: Float32Array;
  /** Largest value of ReLU(sum_k w_k A_k) before scaling; 0 means nothing spoke for the class. */
  peak: number;
}

/**
 * Grad-CAM (Selvaraju et al. 2017) from activations already computed at the head's layer (by
 * tfjs, ONNX Runtime, …): w_k = mean_ij d logit_c / d A_ijk, cam = ReLU(sum_k w_k A_k), scaled
 * to [0, 1] per image. The class score is the pre-softmax logit, so the map says what raises
 * this class, not what lowers the others.
 */
export async function gradCamFromActivations(
  head: GradCamHead,
  activations: tf.Tensor4D,
  target: GradCamTarget,
): Promise<GradCam[]> {
  const [n, h, w, c] = activations.shape;
  const [eh, ew, ec] = head.activationShape;
  if (h !== eh || w !== ew || c !== ec) {
    throw new Error(
      `activations are ${JSON.stringify([h, w, c])} per image, layer "${head.layerName}" gives ${JSON.stringify(head.activationShape)}`,
    );
  }
  const probs = tf.tidy(() => head.probabilities(activations));
  const p = (await probs.data()) as Float32Array;
  probs.dispose();
  const k = head.numClasses;
  const classes = resolveTargets(target, p, n, k);
  const [weights, cams] = tf.tidy(() => {
    const mask = tf.oneHot(tf.tensor1d(classes, "int32"), k);
    // Each image's logit depends on its own activations only, so the gradient of the batch's
    // sum holds every image's own gradient.
    const grads = tf.grad((a) => tf.sum(tf.mul(head.logits(a as tf.Tensor4D), mask)))(activations);
    const weights = tf.mean(grads, [1, 2]);
    const cams = tf.relu(tf.sum(tf.mul(activations, tf.reshape(weights, [n, 1, 1, c])), 3));
    return [weights, cams];
  });
  const [wk, cam] = await Promise.all([weights.data(), cams.data()]);
  tf.dispose([weights, cams]);
  const size = h * w;
  return classes.map((classIndex, i) => {
    const heatmap = Float32Array.from(cam.subarray(i * size, (i + 1) * size));
    const peak = heatmap.reduce((m, v) => Math.max(m, v), 0);
    if (peak > 0) for (let j = 0; j < size; j++) heatmap[j] = heatmap[j]! / peak;
    const probabilities = Float32Array.from(p.subarray(i * k, (i + 1) * k));
    return {
      heatmap,
      height: h,
      width: w,
      classIndex,
      probability: probabilities[classIndex]!,
      probabilities,
      channelWeights: Float32Array.from(wk.subarray(i * c, (i + 1) * c)),
      peak,
    };
  });
}

/** Grad-CAM for a batch of model inputs: the backbone's forward pass, then the head's gradient. */
export async function gradCam(
  model: tf.LayersModel | GradCamModel,
  input: tf.Tensor4D,
  target: GradCamTarget,
): Promise<GradCam[]> {
  const { backbone, head } = "head" in model ? model : splitForGradCam(model);
  const activations = backbone.predict(input) as tf.Tensor4D;
  try {
    return await gradCamFromActivations(head, activations, target);
  } finally {
    activations.dispose();
  }
}

function resolveTargets(target: GradCamTarget, probs: Float32Array, n: number, k: number): number[] {
  if (target === "predicted") {
    return Array.from({ length: n }, (_, i) => {
      const row = probs.subarray(i * k, (i + 1) * k);
      return row.reduce((best, v, j) => (v > row[best]! ? j : best), 0);
    });
  }
  const classes = typeof target === "number" ? new Array<number>(n).fill(target) : [...target];
  if (classes.length !== n) throw new Error(`${classes.length} target classes for ${n} images`);
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`class index ${c} is not in 0..${k - 1}`);
  }
  return classes;
}
