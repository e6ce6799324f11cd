import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { WeightAverage } from "./weight-average.ts";

const { expectArraysClose } = tf.test_util;

/** A one-unit dense layer built on 1 input: weights [kernel [[k]], bias [b]]. */
function layer(k: number, b: number): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.layers[0]!.setWeights([tf.tensor2d([[k]]), tf.tensor1d([b])]);
  return model;
}
const values = (ts: readonly tf.Tensor[]) => ts.map((t) => t.dataSync()[0]!);

describe("WeightAverage", () => {
  beforeAll(() => selectBackend());

  it("averages with d = min(decay, (1 + t)/(10 + t)) per update", () => {
    const model = layer(0, 10);
    const average = new WeightAverage(model.layers[0]!.weights, 0.5);
    const set = (k: number) => model.layers[0]!.setWeights([tf.tensor2d([[k]]), tf.tensor1d([10])]);
    set(10);
    average.update(); // d = min(0.5, 1/10) = 0.1: 0.1·0 + 0.9·10
    expectArraysClose(values(average.values), [9, 10]);
    set(20);
    average.update(); // d = min(0.5, 2/11)
    const d = 2 / 11;
    expectArraysClose(values(average.values), [d * 9 + (1 - d) * 20, 10]);
    expect(average.count).toBe(2);
    for (let t = 2; t < 40; t++) average.update();
    // Once (1 + t)/(10 + t) passes the decay, the decay holds: the average converges to 20.
    expect(values(average.values)[0]).toBeCloseTo(20, 4);
    average.dispose();
    model.dispose();
  });

  it("puts the averaged weights in the model only inside withAveraged", async () => {
    const model = layer(1, 0);
    const average = new WeightAverage(model.layers[0]!.weights, 0.9, {
      values: [tf.tensor2d([[5]]), tf.tensor1d([2])],
      updates: 100,
    });
    const x = tf.tensor2d([[1]]);
    const out = () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()[0]);
    expect(out()).toBeCloseTo(1, 6);
    expect(await average.withAveraged(() => out())).toBeCloseTo(7, 6);
    expect(out()).toBeCloseTo(1, 6);
    // The resumed count carries on: the next update uses the decay itself.
    average.update();
    expectArraysClose(values(average.values), [0.9 * 5 + 0.1 * 1, 0.9 * 2]);
    const before = tf.memory().numTensors;
    await average.withAveraged(() => out());
    expect(tf.memory().numTensors).toBe(before);
    average.dispose();
    model.dispose();
    x.dispose();
  });
});
