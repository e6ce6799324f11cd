import { describe, expect, it } from "vitest";
import { calibrationError, expectedCalibration } from "./calibration.ts";

describe("expectedCalibration", () => {
  it("bins top-label confidences into (lower, upper] bins", () => {
    // Top labels: 0.7 right, 0.4 (tie, first class) right, 0.6 right, 0.5 wrong, 0.6 right, 0.5 wrong.
    // With 15 bins 0.4 = 6/15 sits on an edge and falls in bin 5; 0.5 in bin 7, 0.6 = 9/15 in bin 8,
    // 0.7 in bin 10. Gaps |acc - conf|: bin 5: 0.6 (1 ex), bin 7: 0.5 (2), bin 8: 0.4 (2), bin 10: 0.3 (1).
    const probabilities = [
      [0.7, 0.2, 0.1],
      [0.4, 0.4, 0.2],
      [0.3, 0.6, 0.1],
      [0.5, 0.3, 0.2],
      [0.1, 0.3, 0.6],
      [0.2, 0.5, 0.3],
    ];
    const { ece, bins } = expectedCalibration(probabilities, [0, 0, 1, 1, 2, 2]);
    expect(bins).toHaveLength(15);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 2, 0, 1, 0, 0, 0, 0]);
    expect(bins[5]).toEqual({ lower: 5 / 15, upper: 6 / 15, count: 1, meanConfidence: 0.4, accuracy: 1 });
    expect(bins[7]).toMatchObject({ count: 2, meanConfidence: 0.5, accuracy: 0 });
    expect(bins[0]).toMatchObject({ lower: 0, count: 0, meanConfidence: null, accuracy: null });
    expect(bins[14]!.upper).toBe(1);
    expect(ece).toBeCloseTo((0.6 + 2 * 0.5 + 2 * 0.4 + 0.3) / 6, 12);
  });

  it("is 0 for a confident perfect classifier and the confidence gap for an underconfident one", () => {
    const labels = [0, 1, 1];
    expect(
      expectedCalibration(
        [
          [1, 0],
          [0, 1],
          [0, 1],
        ],
        labels,
      ).ece,
    ).toBe(0);
    // Always right at confidence 0.8: one bin, accuracy 1, gap 0.2.
    const under = expectedCalibration(
      [
        [0.8, 0.2],
        [0.2, 0.8],
        [0.2, 0.8],
      ],
      labels,
    );
    expect(under.ece).toBeCloseTo(0.2, 12);
    expect(under.bins.filter((b) => b.count > 0)).toHaveLength(1);
  });

  it("uses the requested number of bins", () => {
    const { bins } = expectedCalibration([[0.55, 0.45]], [0], 2);
    expect(bins.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0, 0.5, 0],
      [0.5, 1, 1],
    ]);
    expect(() => expectedCalibration([[1, 0]], [0], 0)).toThrow("numBins is 0");
  });
});

describe("calibrationError", () => {
  it("weights each bin's gap by its share of the examples", () => {
    const bin = (count: number, accuracy: number | null, meanConfidence: number | null) => ({
      lower: 0,
      upper: 1,
      count,
      accuracy,
      meanConfidence,
    });
    // 3/4 * |1 - 0.9| + 1/4 * |0 - 0.6| = 0.075 + 0.15.
    expect(calibrationError([bin(3, 1, 0.9), bin(0, null, null), bin(1, 0, 0.6)])).toBeCloseTo(0.225, 12);
    expect(calibrationError([bin(0, null, null)])).toBe(0);
  });
});
