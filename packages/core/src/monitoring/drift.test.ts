import { describe, expect, it } from "vitest";
import {
  compareInputs,
  HISTOGRAM_BINS,
  type InputStats,
  ksCriticalValue,
  ksStatistic,
  populationStabilityIndex,
} from "./drift.ts";

const histogram = (bin: number) => Array.from({ length: HISTOGRAM_BINS }, (_, i) => (i === bin ? 1 : 0));
const image = (over: Partial<InputStats> = {}): InputStats => ({
  width: 256,
  height: 256,
  bitDepth: 8,
  source: "PNG",
  histogram: histogram(5),
  ...over,
});

describe("drift statistics", () => {
  it("computes PSI from shares", () => {
    expect(populationStabilityIndex([5, 5], [5, 5])).toBe(0);
    // (0.9 - 0.5) ln(0.9/0.5) + (0.1 - 0.5) ln(0.1/0.5)
    expect(populationStabilityIndex([50, 50], [90, 10])).toBeCloseTo(
      0.4 * Math.log(1.8) + 0.4 * Math.log(5),
      12,
    );
    expect(() => populationStabilityIndex([1], [1, 2])).toThrow(/1 bins against 2/);
  });

  it("computes the two-sample KS statistic and its critical value", () => {
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2, 3], [4, 5, 6])).toBe(1);
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6])).toBeCloseTo(0.5, 12);
    expect(ksCriticalValue(100, 100)).toBeCloseTo(1.3581 * Math.sqrt(0.02), 4);
  });

  it("flags nothing for inputs like the training images", () => {
    const reference = Array.from({ length: 50 }, () => image());
    const report = compareInputs(
      reference,
      Array.from({ length: 20 }, () => image()),
    )!;
    expect(report.flagged).toBe(false);
    expect(report.checks.map((c) => [c.name, c.value])).toEqual([
      ["image size", 0],
      ["bit depth", 0],
      ["intensity histogram", 0],
      ["source/modality", 0],
    ]);
  });

  it("flags each kind of shift against its threshold", () => {
    const reference = Array.from({ length: 50 }, (_, i) => image({ width: 250 + i }));
    const current = Array.from({ length: 20 }, () =>
      image({ width: 2000, height: 2500, bitDepth: 12, source: "DICOM CR", histogram: histogram(12) }),
    );
    const report = compareInputs(reference, current)!;
    expect(report.flagged).toBe(true);
    expect(report.checks.map((c) => [c.name, c.statistic, c.flagged])).toEqual([
      ["image size", "KS", true],
      ["bit depth", "PSI", true],
      ["intensity histogram", "PSI", true],
      ["source/modality", "PSI", true],
    ]);
    expect(report.checks[0]!.value).toBe(1);
    expect(report.checks[1]!.reference).toEqual({ "8": 1 });
    expect(report.checks[1]!.current).toEqual({ "12": 1 });
    // Only one check moved: only it is flagged.
    const brighter = compareInputs(
      reference.slice(0, 20),
      reference.slice(0, 20).map((r) => ({ ...r, histogram: histogram(6) })),
    )!;
    expect(brighter.checks.filter((c) => c.flagged).map((c) => c.name)).toEqual(["intensity histogram"]);
    expect(compareInputs(reference, [])).toBeNull();
  });
});
