import { describe, expect, it } from "vitest";
import { mcnemarExact } from "./mcnemar.ts";

/** Standard normal upper tail, from erfc by Abramowitz & Stegun 7.1.26 (error < 1.5e-7). */
function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

describe("mcnemarExact", () => {
  it("doubles the binomial tail of the smaller discordant count", () => {
    // b = 0, c = 5: 2 * C(5,0) / 2^5 = 2 / 32.
    expect(mcnemarExact(0, 5)).toBe(0.0625);
    expect(mcnemarExact(5, 0)).toBe(0.0625);
    // b = 3, c = 10: 2 * (C(13,0) + C(13,1) + C(13,2) + C(13,3)) / 2^13 = 2 * (1 + 13 + 78 + 286) / 8192.
    expect(mcnemarExact(3, 10)).toBeCloseTo(756 / 8192, 14);
    expect(mcnemarExact(10, 3)).toBeCloseTo(756 / 8192, 14);
    // b = 1, c = 1: 2 * (1 + 2) / 4 > 1, capped.
    expect(mcnemarExact(1, 1)).toBe(1);
  });

  it("is 1 with no discordant pairs or equal counts", () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(4, 4)).toBe(1);
    expect(mcnemarExact(1500, 1500)).toBe(1);
  });

  it("agrees with the sum in plain doubles where that one is exact enough", () => {
    for (const [b, c] of [
      [2, 9],
      [7, 20],
      [12, 30],
    ] as const) {
      const n = b + c;
      let term = 2 ** -n;
      let tail = term;
      for (let k = 0; k < Math.min(b, c); k++) {
        term *= (n - k) / (k + 1);
        tail += term;
      }
      expect(mcnemarExact(b, c)).toBeCloseTo(2 * tail, 12);
    }
  });

  it("stays finite at thousands of pairs and matches the continuity-corrected normal approximation", () => {
    // z = (|b - c| - 1) / sqrt(b + c) = 99 / sqrt(2100) = 2.160, two-sided p = 0.0307.
    const p = mcnemarExact(1000, 1100);
    const approx = 2 * normalUpperTail(99 / Math.sqrt(2100));
    expect(approx).toBeCloseTo(0.0307, 3);
    expect(Math.abs(p - approx)).toBeLessThan(0.002);
    // Nearly balanced: large p, still below 1.
    const balanced = mcnemarExact(2000, 2040);
    expect(Math.abs(balanced - 2 * normalUpperTail(39 / Math.sqrt(4040)))).toBeLessThan(0.005);
    expect(balanced).toBeLessThan(1);
    // 2 * 2^-3000 underflows; the answer is 0, not NaN.
    const tiny = mcnemarExact(0, 3000);
    expect(Number.isNaN(tiny)).toBe(false);
    expect(tiny).toBeLessThan(1e-300);
    expect(mcnemarExact(100, 3000)).toBeLessThan(1e-300);
  });

  it("rejects counts that are not whole numbers", () => {
    expect(() => mcnemarExact(-1, 3)).toThrow("McNemar b is -1");
    expect(() => mcnemarExact(1, 2.5)).toThrow("McNemar c is 2.5");
  });
});
