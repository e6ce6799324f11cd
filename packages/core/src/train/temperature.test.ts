import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { createRng } from "../random.ts";
import { fitTemperature, foldTemperature, temperedLoss } from "./temperature.ts";

const softmax = (z: number[]) => {
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe("temperature scaling", () => {
  beforeAll(() => selectBackend());

  it("recovers the temperature that generated the labels", () => {
    // An overconfident model: its logits are twice the ones the labels were drawn from.
    const rng = createRng(7);
    const k = 3;
    const n = 4000;
    const probabilities = new Float32Array(n * k);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const logits = Array.from({ length: k }, () => rng.uniform(-3, 3));
      const truth = softmax(logits.map((v) => v / 2));
      probabilities.set(softmax(logits), i * k);
      const u = rng.next();
      labels.push(u < truth[0]! ? 0 : u < truth[0]! + truth[1]! ? 1 : 2);
    }
    const t = fitTemperature(probabilities, labels, k);
    expect(t).toBeGreaterThan(1.8);
    expect(t).toBeLessThan(2.2);
    expect(temperedLoss(probabilities, labels, k, t)).toBeLessThan(temperedLoss(probabilities, labels, k, 1));
  });

  it("refuses an empty or mis-shaped validation set", () => {
    expect(() => fitTemperature(new Float32Array(0), [], 3)).toThrow(/at least one/);
    expect(() => fitTemperature(new Float32Array(4), [0, 1], 3)).toThrow(/4 probabilities for 2 x 3/);
  });

  it("folded into a softmax Dense layer, the model predicts the tempered probabilities, leaking no tensor", () => {
    const input = tf.input({ shape: [4] });
    const output = tf.layers
      .dense({ units: 3, activation: "softmax", kernelInitializer: "glorotNormal", biasInitializer: "ones" })
      .apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const x = tf.tensor2d([
      [1, -2, 0.5, 3],
      [0, 1, -1, 2],
    ]);
    const before = model.predict(x) as tf.Tensor;
    const raw = Array.from(before.dataSync());
    const tensors = tf.memory().numTensors;
    foldTemperature(model, 2.5);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = Array.from((model.predict(x) as tf.Tensor).dataSync());
    for (let row = 0; row < 2; row++) {
      const expected = softmax(raw.slice(row * 3, row * 3 + 3).map((p) => Math.log(p) / 2.5));
      for (const [j, p] of after.slice(row * 3, row * 3 + 3).entries())
        expect(p).toBeCloseTo(expected[j]!, 5);
    }
  });

  it("refuses a model whose output is not a softmax Dense layer", () => {
    const input = tf.input({ shape: [4] });
    const output = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    expect(() => foldTemperature(tf.model({ inputs: input, outputs: output }), 2)).toThrow(/Dense softmax/);
  });
});
