import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { createRng } from "../random.ts";
import { seededInitialize } from "./init.ts";

// conv kernel [3, 3, 3, 16], dense kernel [6*6*16, 32], kept head [32, 2]; all biases start at one.
function smallNet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, name: "conv", biasInitializer: "ones" })
    .apply(input);
  x = tf.layers.flatten().apply(x);
  x = tf.layers.dense({ units: 32, name: "dense", biasInitializer: "ones" }).apply(x);
  x = tf.layers.dense({ units: 2, name: "pretrained", biasInitializer: "ones" }).apply(x);
  return tf.model({ inputs: input, outputs: x as tf.SymbolicTensor });
}

const weightsOf = (model: tf.LayersModel, name: string) =>
  model
    .getLayer(name)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));

describe("seededInitialize", () => {
  beforeAll(() => selectBackend());

  it("gives the same weights for the same seed and other weights for another seed", () => {
    const [a, b, c] = [smallNet(), smallNet(), smallNet()];
    seededInitialize(a, createRng(5));
    seededInitialize(b, createRng(5));
    seededInitialize(c, createRng(6));
    for (const name of ["conv", "dense"]) {
      expect(weightsOf(b, name)).toEqual(weightsOf(a, name));
      expect(weightsOf(c, name)[0]).not.toEqual(weightsOf(a, name)[0]);
    }
  });

  it("draws kernels uniformly within the Glorot limit and zeroes biases", () => {
    const model = smallNet();
    seededInitialize(model, createRng(7));
    const limits = {
      conv: Math.sqrt(6 / (3 * 9 + 16 * 9)),
      dense: Math.sqrt(6 / (6 * 6 * 16 + 32)),
    };
    for (const [name, limit] of Object.entries(limits)) {
      const [kernel, bias] = weightsOf(model, name);
      const maxAbs = Math.max(...kernel!.map(Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(limit);
      expect(maxAbs).toBeGreaterThan(0.95 * limit);
      const mean = kernel!.reduce((s, v) => s + v, 0) / kernel!.length;
      expect(Math.abs(mean)).toBeLessThan(0.1 * limit);
      expect(bias!.every((v) => v === 0)).toBe(true);
    }
  });

  it("leaves the layers named in `keep` alone", () => {
    const model = smallNet();
    const before = weightsOf(model, "pretrained");
    seededInitialize(model, createRng(8), new Set(["pretrained"]));
    expect(weightsOf(model, "pretrained")).toEqual(before);
    expect(weightsOf(model, "dense")[1]!.every((v) => v === 0)).toBe(true);
  });
});
