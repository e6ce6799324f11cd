import { describe, expect, it } from "vitest";
import { bestEpochIndex } from "./history.ts";

const byLoss = (...valLoss: number[]) => valLoss.map((l) => ({ valLoss: l, valAccuracy: 0.5 }));
const byAccuracy = (...valAccuracy: number[]) => valAccuracy.map((a) => ({ valLoss: 1, valAccuracy: a }));

describe("bestEpochIndex", () => {
  it("picks the lowest val_loss, the first one on ties", () => {
    expect(bestEpochIndex(byLoss(0.5, 0.3, 0.3, 0.4), "val_loss")).toBe(1);
    expect(bestEpochIndex(byLoss(0.2, 0.3, 0.4), "val_loss")).toBe(0);
    expect(bestEpochIndex(byLoss(0.9, 0.8, 0.7), "val_loss")).toBe(2);
  });

  it("picks the highest val_accuracy, the first one on ties", () => {
    expect(bestEpochIndex(byAccuracy(0.8, 0.9, 0.9, 0.85), "val_accuracy")).toBe(1);
    expect(bestEpochIndex(byAccuracy(0.95, 0.9), "val_accuracy")).toBe(0);
  });

  it("ignores epochs whose monitored metric is NaN", () => {
    expect(bestEpochIndex(byLoss(Number.NaN, 0.5, Number.NaN, 0.4), "val_loss")).toBe(3);
    expect(bestEpochIndex(byLoss(0.5, Number.NaN), "val_loss")).toBe(0);
    expect(bestEpochIndex(byAccuracy(Number.NaN, 0.7, Number.NaN), "val_accuracy")).toBe(1);
    // Only the monitored metric counts.
    const mixed = [
      { valLoss: Number.NaN, valAccuracy: 0.9 },
      { valLoss: 0.1, valAccuracy: 0.8 },
    ];
    expect(bestEpochIndex(mixed, "val_accuracy")).toBe(0);
    expect(bestEpochIndex(mixed, "val_loss")).toBe(1);
  });

  it("keeps the last epoch for last, whatever the scores", () => {
    expect(bestEpochIndex(byLoss(0.1, 0.5, 0.9), "last")).toBe(2);
    expect(bestEpochIndex(byAccuracy(0.9, 0.5), "last")).toBe(1);
    expect(bestEpochIndex([], "last")).toBe(-1);
  });

  it("returns -1 when no epoch has a value", () => {
    expect(bestEpochIndex([], "val_loss")).toBe(-1);
    expect(bestEpochIndex(byLoss(Number.NaN, Number.NaN), "val_loss")).toBe(-1);
    expect(bestEpochIndex(byAccuracy(Number.NaN), "val_accuracy")).toBe(-1);
  });
});
