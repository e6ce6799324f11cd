import * as tf from "@tensorflow/tfjs";

/** Keras' clipping epsilon for cross-entropy on probabilities. */
const EPSILON = 1e-7;

/**
 * Sparse categorical cross-entropy on softmax outputs, as Keras computes it (probabilities clipped
 * to [eps, 1 - eps]); returns the per-example losses.
 */
export function sparseCategoricalCrossentropy(probs: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, probs.shape[1]);
    const logp = tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON));
    return tf.neg(tf.sum(tf.mul(oneHot, logp), 1)) as tf.Tensor1D;
  });
}
