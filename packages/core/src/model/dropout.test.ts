import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { createRng } from "../random.ts";
import { seedDropoutLayers } from "./dropout.ts";

const SIZE = 2000;

function seededModel(seed: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dropout({ rate: 0.4, inputShape: [SIZE] })] });
  seedDropoutLayers(model, createRng(seed));
  return model;
}

const x = () => tf.range(1, SIZE + 1).reshape([1, SIZE]);

function run(model: tf.LayersModel, training: boolean): Float32Array {
  return tf.tidy(() => (model.apply(x(), { training }) as tf.Tensor).dataSync() as Float32Array);
}

describe("seedDropoutLayers", () => {
  beforeAll(() => selectBackend());

  it("draws the same masks from the same seed and other masks from another seed", () => {
    const [a, b, c] = [seededModel(1), seededModel(1), seededModel(2)];
    const first = run(a, true);
    expect(run(b, true)).toEqual(first);
    expect(run(c, true)).not.toEqual(first);
    // Successive calls continue the same stream.
    expect(run(a, true)).toEqual(run(b, true));
  });

  it("draws a new mask on every call, dropping about `rate` of the units and scaling the rest", () => {
    const model = seededModel(3);
    const masks = [run(model, true), run(model, true)];
    expect(masks[1]).not.toEqual(masks[0]);
    for (const out of masks) {
      const dropped = out.filter((v) => v === 0).length / SIZE;
      expect(dropped).toBeGreaterThan(0.35);
      expect(dropped).toBeLessThan(0.45);
      out.forEach((v, i) => {
        if (v !== 0) expect(v).toBeCloseTo((i + 1) / 0.6, 2);
      });
    }
  });

  it("passes inputs through unchanged in inference mode", () => {
    const model = seededModel(4);
    const expected = x();
    expect(run(model, false)).toEqual(expected.dataSync());
    expected.dispose();
  });
});
