import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { sparseCategoricalCrossentropy } from "./loss.ts";

function losses(probs: number[][], labels: number[], labelSmoothing = 0): number[] {
  return tf.tidy(() =>
    Array.from(
      sparseCategoricalCrossentropy(
        tf.tensor2d(probs),
        tf.tensor1d(labels, "int32"),
        labelSmoothing,
      ).dataSync(),
    ),
  );
}

describe("sparseCategoricalCrossentropy", () => {
  beforeAll(() => selectBackend());

  it("is minus the log of the true class's probability, per example", () => {
    const out = losses(
      [
        [0.7, 0.2, 0.1],
        [0.1, 0.3, 0.6],
        [0.25, 0.5, 0.25],
      ],
      [0, 2, 1],
    );
    expect(out).toHaveLength(3);
    expect(out[0]).toBeCloseTo(0.356675, 5);
    expect(out[1]).toBeCloseTo(0.510826, 5);
    expect(out[2]).toBeCloseTo(Math.LN2, 5);
  });

  it("clips probabilities to [1e-7, 1 - 1e-7], as Keras does", () => {
    const [zero, one] = losses(
      [
        [0, 1, 0],
        [0, 1, 0],
      ],
      [0, 1],
    );
    // -ln(1e-7) = 16.1181 instead of Infinity.
    expect(zero).toBeCloseTo(16.1181, 3);
    expect(one).toBeGreaterThan(0);
    expect(one).toBeLessThan(1e-6);
  });

  it("with label smoothing ε, scores against (1 - ε)·one-hot + ε/K", () => {
    // ε = 0.3, K = 3: target [0.8, 0.1, 0.1]; -(0.8 ln 0.7 + 0.1 ln 0.2 + 0.1 ln 0.1).
    const [smoothed] = losses([[0.7, 0.2, 0.1]], [0], 0.3);
    expect(smoothed).toBeCloseTo(0.8 * 0.356675 + 0.1 * 1.609438 + 0.1 * Math.LN10, 5);
  });
});
