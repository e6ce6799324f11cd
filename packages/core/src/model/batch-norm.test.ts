import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { createRng } from "../random.ts";
import { trainingBatchNorm } from "./batch-norm.ts";
import { freezeLayers } from "./freeze.ts";

const { expectArraysClose } = tf.test_util;

function randoms(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
}

const SHAPE = [3, 4, 5, 6] as const;
const CHANNELS = SHAPE[3];
const SIZE = SHAPE.reduce((a, b) => a * b, 1);

/**
 * A model of one BatchNormalization (momentum 0.9) with non-trivial gamma, beta and moving statistics,
 * made trainable on batch statistics by freezeLayers (fused) or left as tfjs-layers has it (unfused).
 */
function bnModel(fused: boolean): tf.LayersModel {
  const input = tf.input({ shape: SHAPE.slice(1) });
  const bn = tf.layers.batchNormalization({ name: "bn", momentum: 0.9, epsilon: 1e-3 });
  const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
  const weights = [
    tf.tensor1d(randoms(CHANNELS, 1, 0.5, 2)),
    tf.tensor1d(randoms(CHANNELS, 2)),
    tf.tensor1d(randoms(CHANNELS, 3)),
    tf.tensor1d(randoms(CHANNELS, 4, 0.5, 2)),
  ];
  bn.setWeights(weights);
  tf.dispose(weights);
  if (fused) freezeLayers(model, 1);
  return model;
}

/**
 * One training-mode call of the layer on x (channel means far from 0, spreads unequal) and the
 * gradient of Σ y·w: output, gradients in x, gamma, beta, and the moving mean and variance after.
 */
function trainOnce(fused: boolean): Float32Array[] {
  const model = bnModel(fused);
  const layer = model.getLayer("bn");
  const x = tf.tensor4d(randoms(SIZE, 5, -2, 6), [...SHAPE]);
  const w = tf.tensor4d(randoms(SIZE, 6), [...SHAPE]);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  let y: tf.Tensor | null = null;
  const grads = tf.grads((xi: tf.Tensor, _g: tf.Tensor, _b: tf.Tensor) => {
    y = tf.keep(layer.apply(xi, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(y, w));
  })([x, gamma!, beta!]);
  const results = [y!, ...grads, ...layer.getWeights().slice(2)].map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, w, y!, ...grads]);
  model.dispose();
  return results;
}

describe("fused training-mode batch normalization", () => {
  beforeAll(() => selectBackend("cpu"));

  for (const backend of ["cpu", "wasm"] as const) {
    it(`matches tfjs-layers' own training-mode BatchNormalization on ${backend}: output, gradients, moving statistics`, async () => {
      if (backend === "wasm") await selectBackend("wasm");
      else await tf.setBackend("cpu");
      const fused = trainOnce(true);
      const unfused = trainOnce(false);
      const names = ["y", "dx", "dgamma", "dbeta", "moving mean", "moving variance"];
      names.forEach((name, i) => {
        const [a, b] = [fused[i]!, unfused[i]!];
        expect(a.length, name).toBe(b.length);
        expectArraysClose(a, b, 2e-4);
      });
      // The fixture is not degenerate: statistics moved and gradients are far from zero.
      expect(Math.max(...fused[2]!.map(Math.abs))).toBeGreaterThan(1);
      expect(Math.max(...fused[1]!.map(Math.abs))).toBeGreaterThan(0.1);
    });
  }

  it("gives the gradients central differences of the loss give", async () => {
    await tf.setBackend("cpu");
    // float64 loss from float32 outputs; h large enough for float32 rounding to stay below 1e-3.
    const x = randoms(2 * 3 * 3 * 4, 7, -1, 3);
    const gamma = randoms(4, 8, 0.5, 2);
    const beta = randoms(4, 9);
    const w = randoms(x.length, 10);
    const loss = (xs: Float32Array, g: Float32Array, b: Float32Array) =>
      tf.tidy(() => {
        const out = trainingBatchNorm(tf.tensor4d(xs, [2, 3, 3, 4]), tf.tensor1d(g), tf.tensor1d(b), 1e-3)!;
        const y = out.y.dataSync() as Float32Array;
        return y.reduce((s: number, v: number, i: number) => s + v * w[i]!, 0);
      });
    const analytic = tf.tidy(() =>
      tf
        .grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
          const y = trainingBatchNorm(xi, gi as tf.Tensor1D, bi as tf.Tensor1D, 1e-3)!.y;
          return tf.sum(tf.mul(y, tf.tensor4d(w, [2, 3, 3, 4])));
        })([tf.tensor4d(x, [2, 3, 3, 4]), tf.tensor1d(gamma), tf.tensor1d(beta)])
        .map((t) => t.dataSync() as Float32Array),
    );
    const h = 1e-2;
    const args = [x, gamma, beta];
    args.forEach((arg, which) => {
      for (let i = 0; i < arg.length; i++) {
        const shifted = (d: number) => {
          const copy = args.map((a) => Float32Array.from(a));
          copy[which]![i]! += d;
          return loss(copy[0]!, copy[1]!, copy[2]!);
        };
        const numeric = (shifted(h) - shifted(-h)) / (2 * h);
        expect(Math.abs(analytic[which]![i]! - numeric), `input ${which} element ${i}`).toBeLessThan(
          2e-3 * Math.max(1, Math.abs(numeric)),
        );
      }
    });
  });

  it("leaves a layer whose channels are not last to tfjs-layers, with the same result", async () => {
    await tf.setBackend("cpu");
    const make = (fused: boolean) => {
      const input = tf.input({ shape: [3, 4] });
      const bn = tf.layers.batchNormalization({ axis: 1 });
      const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
      if (fused) freezeLayers(model, 1);
      return model;
    };
    const x = tf.tensor3d(randoms(24, 11, 0, 4), [2, 3, 4]);
    const [a, b] = [make(true), make(false)].map((m) => {
      const y = m.getLayer(m.layers[1]!.name).apply(x, { training: true }) as tf.Tensor;
      const data = y.dataSync();
      tf.dispose(y);
      m.dispose();
      return data;
    });
    expect(Array.from(a!)).toEqual(Array.from(b!));
    x.dispose();
  });
});
