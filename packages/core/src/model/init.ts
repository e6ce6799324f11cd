import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random.ts";

/**
 * Re-initialises Dense and Conv2D kernels (Glorot uniform, Keras' default) and zeroes their biases
 * from `rng`, so a run's starting point follows from its seed; tfjs' own initialisers use Math.random.
 * Layers named in `keep` (e.g. those given pretrained weights) are left alone.
 */
export function seededInitialize(
  model: tf.LayersModel,
  rng: Rng,
  keep: ReadonlySet<string> = new Set(),
): void {
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if ((cls !== "Dense" && cls !== "Conv2D") || keep.has(layer.name)) continue;
    const values = layer.getWeights().map((w, i) => {
      if (i > 0 || w.rank < 2) return tf.zerosLike(w);
      const receptive = w.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = w.shape[w.rank - 2]! * receptive;
      const fanOut = w.shape[w.rank - 1]! * receptive;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const data = Float32Array.from({ length: w.size }, () => rng.uniform(-limit, limit));
      return tf.tensor(data, w.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
