import { describe, expect, it } from "vitest";
import { mcnemarExact } from "./mcnemar.ts";
import { comparePairedAccuracy } from "./paired-comparison.ts";

/** Right/wrong of two models on 100 images: both right 70, only A 12 (b), only B 4 (c), both wrong 14. */
function outcomes() {
  const a: boolean[] = [];
  const b: boolean[] = [];
  const add = (count: number, ra: boolean, rb: boolean) => {
    for (let i = 0; i < count; i++) {
      a.push(ra);
      b.push(rb);
    }
  };
  add(70, true, true);
  add(12, true, false);
  add(4, false, true);
  add(14, false, false);
  return { a, b };
}

describe("comparePairedAccuracy", () => {
  it("counts the discordant pairs, tests them exactly and brackets the difference", () => {
    const { a, b } = outcomes();
    const result = comparePairedAccuracy(a, b, { resamples: 1000, seed: 5 });
    expect(result).toMatchObject({ n: 100, accuracyA: 0.82, accuracyB: 0.74, b: 12, c: 4 });
    expect(result.mcnemarP).toBe(mcnemarExact(12, 4));
    expect(result.mcnemarP).toBeCloseTo(0.0768, 4);
    expect(result.difference.estimate).toBeCloseTo(0.08, 12);
    expect(result.difference.lower!).toBeLessThan(0.08);
    expect(result.difference.upper!).toBeGreaterThan(0.08);
    // The paired standard error is sqrt((b + c) - (b - c)^2 / n) / n = 0.0390: about +-0.077.
    expect(result.difference.upper! - result.difference.lower!).toBeGreaterThan(0.12);
    expect(result.difference.upper! - result.difference.lower!).toBeLessThan(0.19);
    expect(result.grouping).toEqual({ by: "image", units: 100 });
  });

  it("is deterministic with a seed and swaps sign when the models swap", () => {
    const { a, b } = outcomes();
    const settings = { resamples: 300, seed: 11 };
    const ab = comparePairedAccuracy(a, b, settings);
    expect(comparePairedAccuracy(a, b, settings)).toEqual(ab);
    const ba = comparePairedAccuracy(b, a, settings);
    expect(ba).toMatchObject({ b: 4, c: 12, mcnemarP: ab.mcnemarP });
    expect(ba.difference.estimate).toBeCloseTo(-0.08, 12);
    expect(ba.difference.lower).toBeCloseTo(-ab.difference.upper!, 12);
  });

  it("gives a zero-width interval and p = 1 for models that agree everywhere", () => {
    const same = [true, false, true, true];
    const result = comparePairedAccuracy(same, same, { resamples: 50 });
    expect(result).toMatchObject({ b: 0, c: 0, mcnemarP: 1, accuracyA: 0.75, accuracyB: 0.75 });
    expect(result.difference).toEqual({ estimate: 0, lower: 0, upper: 0, defined: 50 });
  });

  it("resamples groups of images together when given", () => {
    const { a, b } = outcomes();
    const keys = a.map((_, i) => `g${Math.floor(i / 4)}`);
    const result = comparePairedAccuracy(a, b, { resamples: 200, grouping: { keys, source: "GROUPS.tsv" } });
    expect(result.grouping).toEqual({ by: "group", source: "GROUPS.tsv", units: 25, ungrouped: 0 });
  });

  it("refuses results of different lengths", () => {
    expect(() => comparePairedAccuracy([true], [true, false])).toThrow("1 results but model B has 2");
  });
});
