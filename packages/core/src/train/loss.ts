import * as tf from "@tensorflow/tfjs";

/** Keras' clipping epsilon for cross-entropy on probabilities. */
const EPSILON = 1e-7;

/**
 * Sparse categorical cross-entropy on softmax outputs, as Keras computes it (probabilities clipped
 * to [eps, 1 - eps]); returns the per-example losses. With `labelSmoothing` ε the target is
 * (1 - ε)·one-hot + ε/K, as Keras' `label_smoothing`.
 */
export function sparseCategoricalCrossentropy(
  probs: tf.Tensor2D,
  labels: tf.Tensor1D,
  labelSmoothing = 0,
): tf.Tensor1D {
  return tf.tidy(() => {
    const k = probs.shape[1];
    const oneHot = tf.oneHot(labels, k).toFloat();
    const target =
      labelSmoothing > 0 ? tf.add(tf.mul(oneHot, 1 - labelSmoothing), labelSmoothing / k) : oneHot;
    const logp = tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON));
    return tf.neg(tf.sum(tf.mul(target, logp), 1)) as tf.Tensor1D;
  });
}
