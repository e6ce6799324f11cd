import * as tf from "@tensorflow/tfjs";
import { restoreWeights, snapshotWeights } from "./checkpoint.ts";

/**
 * An exponential moving average of a model's weights (Polyak averaging, as TensorFlow's
 * ExponentialMovingAverage with num_updates): after step t, average ← d·average + (1 − d)·weights
 * with d = min(decay, (1 + t)/(10 + t)), so the first steps are not dominated by the start.
 */
export class WeightAverage {
  private readonly average: tf.Variable[];
  private updates: number;

  /** `initial`: the averaged values to continue from (a resumed run), else the weights as they are. */
  constructor(
    private readonly weights: tf.LayerVariable[],
    private readonly decay: number,
    initial?: { values: tf.Tensor[]; updates: number },
  ) {
    const start = initial?.values ?? weights.map((w) => w.read());
    if (start.length !== weights.length)
      throw new Error(`weight average holds ${start.length} tensors, the model needs ${weights.length}`);
    this.average = start.map((t) => tf.variable(t, false));
    this.updates = initial?.updates ?? 0;
  }

  /** Folds the weights as they are now into the average. */
  update(): void {
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    this.updates++;
    tf.tidy(() => {
      for (const [i, a] of this.average.entries())
        a.assign(tf.add(tf.mul(a, d), tf.mul(this.weights[i]!.read(), 1 - d)));
    });
  }

  /** The averaged values (owned by this object; clone to keep them). */
  get values(): tf.Tensor[] {
    return this.average;
  }

  get count(): number {
    return this.updates;
  }

  /** Runs `fn` with the averaged weights in the model, then puts the trained ones back. */
  async withAveraged<T>(fn: () => T | Promise<T>): Promise<T> {
    const live = snapshotWeights(this.weights);
    restoreWeights(this.weights, this.average);
    try {
      return await fn();
    } finally {
      restoreWeights(this.weights, live);
      tf.dispose(live);
    }
  }

  dispose(): void {
    tf.dispose(this.average);
  }
}
