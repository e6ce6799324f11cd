import { describe, expect, it } from "vitest";
import { meanLogLoss } from "./log-loss.ts";

describe("meanLogLoss", () => {
  it("averages -log of the true class probability", () => {
    const loss = meanLogLoss(
      [
        [0.7, 0.2, 0.1],
        [0.3, 0.6, 0.1],
        [0.1, 0.3, 0.6],
        [0.2, 0.5, 0.3],
      ],
      [0, 1, 2, 2],
    );
    expect(loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.6) + Math.log(0.6) + Math.log(0.3)) / 4, 12);
  });

  it("clips probabilities to [1e-7, 1 - 1e-7] like Keras", () => {
    // A wrong prediction with probability 0 costs -log(1e-7) instead of infinity; a sure hit -log(1 - 1e-7).
    expect(meanLogLoss([[0, 1]], [0])).toBeCloseTo(-Math.log(1e-7), 12);
    expect(meanLogLoss([[1, 0]], [0])).toBeCloseTo(-Math.log(1 - 1e-7), 15);
    expect(meanLogLoss([[1, 0]], [0])).toBeGreaterThan(0);
  });
});
