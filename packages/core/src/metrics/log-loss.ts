/** Keras' clipping epsilon for cross-entropy on probabilities. */
const EPSILON = 1e-7;

/**
 * Mean categorical cross-entropy -log p[label], with probabilities clipped to [eps, 1 - eps] as Keras'
 * (sparse_)categorical_crossentropy does on softmax outputs.
 */
export function meanLogLoss(
  probabilities: readonly (readonly number[])[],
  labels: ArrayLike<number>,
): number {
  if (probabilities.length === 0) throw new Error("metrics: meanLogLoss needs at least one example");
  const total = probabilities.reduce((sum, row, i) => {
    const p = Math.min(Math.max(row[labels[i]!]!, EPSILON), 1 - EPSILON);
    return sum - Math.log(p);
  }, 0);
  return total / probabilities.length;
}
