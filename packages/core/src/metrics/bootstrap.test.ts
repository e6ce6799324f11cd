import { describe, expect, it } from "vitest";
import { bootstrap, percentileInterval, quantile } from "./bootstrap.ts";

const mean = (values: readonly number[]) => (indices: readonly number[]) =>
  indices.reduce((sum, i) => sum + values[i]!, 0) / indices.length;

describe("quantile", () => {
  it("interpolates linearly between order statistics like numpy.percentile", () => {
    // numpy.percentile([1, 2, 3, 4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925].
    expect(quantile([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
    expect(quantile([7], 0.975)).toBe(7);
  });
});

describe("bootstrap", () => {
  const values = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));

  it("gives the same draws for the same seed and other draws for another", () => {
    const a = bootstrap(values.length, mean(values), { resamples: 200, seed: 42 });
    const b = bootstrap(values.length, mean(values), { resamples: 200, seed: 42 });
    const c = bootstrap(values.length, mean(values), { resamples: 200, seed: 43 });
    expect(a.draws).toEqual(b.draws);
    expect(c.draws).not.toEqual(a.draws);
    expect(a.estimate).toBeCloseTo(17 / 50, 12);
    expect(a.method).toEqual({
      method: "percentile bootstrap",
      level: 0.95,
      resamples: 200,
      seed: 42,
      grouping: { by: "image", units: 50 },
    });
  });

  it("defaults to 2000 resamples, seed 0, and draws n examples with replacement", () => {
    const sizes: number[] = [];
    const seen = new Set<number>();
    const { method, draws } = bootstrap(10, (indices) => {
      sizes.push(indices.length);
      for (const i of indices) seen.add(i);
      return 0;
    });
    expect(draws).toHaveLength(2000);
    expect(method).toMatchObject({ resamples: 2000, seed: 0 });
    expect(new Set(sizes)).toEqual(new Set([10]));
    expect(seen.size).toBe(10);
  });

  it("draws whole groups: a resample holds every image of a group it holds, as often", () => {
    // Groups of sizes 1..5 (15 images), interleaved in example order; two images are in no group.
    const keys = ["e", "d", null, "e", "c", "d", "b", "e", "a", "c", "d", "e", "b", null, "c", "d", "e"];
    const members = new Map<string, number[]>();
    keys.forEach((k, i) => {
      if (k !== null) members.set(k, [...(members.get(k) ?? []), i]);
    });
    const samples: number[][] = [];
    const { method } = bootstrap(
      keys.length,
      (indices) => {
        samples.push([...indices]);
        return 0;
      },
      { resamples: 300, seed: 1, grouping: { keys, source: "GROUPS.tsv" } },
    );
    expect(method.grouping).toEqual({ by: "group", source: "GROUPS.tsv", units: 7, ungrouped: 2 });
    const sizes = new Set<number>();
    for (const indices of samples.slice(0, -1)) {
      const count = (i: number) => indices.filter((j) => j === i).length;
      for (const group of members.values()) {
        const times = count(group[0]!);
        for (const i of group) expect(count(i)).toBe(times);
      }
      // 7 units drawn each time; the size varies with the groups drawn.
      const units = [...members.values()].reduce((sum, g) => sum + count(g[0]!), 0) + count(2) + count(13);
      expect(units).toBe(7);
      sizes.add(indices.length);
    }
    expect(sizes.size).toBeGreaterThan(3);
  });

  it("rejects bad settings and a grouping of the wrong length", () => {
    const f = () => 0;
    expect(() => bootstrap(3, f, { resamples: 0 })).toThrow("resamples is 0");
    expect(() => bootstrap(3, f, { level: 1 })).toThrow("level is 1");
    expect(() => bootstrap(0, f)).toThrow("at least one example");
    expect(() => bootstrap(3, f, { grouping: { keys: ["a"], source: "x" } })).toThrow(
      "1 keys but there are 3",
    );
  });
});

describe("percentileInterval", () => {
  it("takes the 2.5th and 97.5th percentiles of the defined draws", () => {
    const draws = Array.from({ length: 41 }, (_, i) => i / 40);
    expect(percentileInterval(0.5, draws, 0.95, "x")).toEqual({
      estimate: 0.5,
      lower: expect.closeTo(0.025, 12),
      upper: expect.closeTo(0.975, 12),
      defined: 41,
    });
  });

  it("leaves undefined draws out and says how many, or gives nulls with the reason", () => {
    const partial = percentileInterval(0.5, [0.4, null, 0.6, Number.NaN], 0.95, "no images of class x");
    expect(partial).toMatchObject({ estimate: 0.5, defined: 2 });
    expect(partial.reason).toBe("undefined in 2 of 4 resamples, left out");
    expect(percentileInterval(null, [0.4, null], 0.95, "no images of class x")).toEqual({
      estimate: null,
      lower: null,
      upper: null,
      defined: 1,
      reason: "no images of class x",
    });
    expect(percentileInterval(0.3, [null, null], 0.95, "no images of class x")).toEqual({
      estimate: 0.3,
      lower: null,
      upper: null,
      defined: 0,
      reason: "no images of class x in every resample",
    });
  });
});
