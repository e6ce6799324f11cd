import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random.ts";

/**
 * Makes every Dropout layer draw its masks from `rng`, so a run is repeatable from its seed
 * (tfjs' Dropout otherwise seeds from Math.random, or reuses one mask forever when given a seed).
 */
export function seedDropoutLayers(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "Dropout") continue;
    const rate = (layer.getConfig() as { rate: number }).rate;
    layer.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (!kwargs.training || rate <= 0) return tf.clone(x);
      return tf.dropout(x, rate, undefined, rng.int(2 ** 31));
    };
  }
}
