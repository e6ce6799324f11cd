import { describe, expect, it } from "vitest";
import { scheduleSchema } from "../config.ts";
import { learningRateAt } from "./schedule.ts";

const rates = (schedule: object, total: number, perEpoch: number) =>
  Array.from({ length: total }, (_, step) =>
    learningRateAt(scheduleSchema.parse(schedule), 0.1, step, total, perEpoch),
  );

describe("learningRateAt", () => {
  it("is the peak on every step by default (no warm-up, constant)", () => {
    expect(rates({}, 5, 5)).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
  });

  it("warms up linearly over warmupEpochs, first step above 0, then holds the peak", () => {
    const r = rates({ warmupEpochs: 1 }, 8, 4);
    for (const [i, v] of [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.1].entries())
      expect(r[i]).toBeCloseTo(v, 12);
  });

  it("decays by a half-cosine from the peak to minFactor x peak on the last step", () => {
    const r = rates({ decay: "cosine", minFactor: 0.1 }, 5, 5);
    expect(r[0]).toBeCloseTo(0.1, 12);
    // Half way through the decay: the mean of peak and floor.
    expect(r[2]).toBeCloseTo((0.1 + 0.01) / 2, 12);
    expect(r[4]).toBeCloseTo(0.01, 12);
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeLessThan(r[i - 1]!);
  });

  it("warms up, then decays over the remaining steps", () => {
    const r = rates({ warmupEpochs: 0.5, decay: "cosine" }, 10, 4);
    expect(r.slice(0, 2)).toEqual([0.05, 0.1]);
    expect(r[2]).toBeCloseTo(0.1, 12);
    expect(r[9]).toBeCloseTo(0, 12);
  });
});
