import { describe, expect, it } from "vitest";
import type { BootstrapMethod } from "./bootstrap.ts";
import { describeBootstrap, formatInterval, formatMetricIntervals } from "./format-intervals.ts";
import { bootstrapMetricIntervals } from "./metric-intervals.ts";

const METHOD: BootstrapMethod = {
  method: "percentile bootstrap",
  level: 0.95,
  resamples: 2000,
  seed: 7,
  grouping: { by: "image", units: 312 },
};

describe("describeBootstrap", () => {
  it("names the level, resamples, seed and grouping", () => {
    expect(describeBootstrap(METHOD)).toBe(
      "95% bootstrap CI, 2000 resamples, seed 7, resampled per image (312 images)",
    );
    const grouped = {
      ...METHOD,
      grouping: { by: "group", source: "/d/GROUPS.tsv", units: 290, ungrouped: 0 },
    };
    expect(describeBootstrap(grouped as BootstrapMethod)).toBe(
      "95% bootstrap CI, 2000 resamples, seed 7, grouped by /d/GROUPS.tsv (290 groups)",
    );
    const partly = { ...METHOD, grouping: { by: "group", source: "G.tsv", units: 12, ungrouped: 2 } };
    expect(describeBootstrap(partly as BootstrapMethod)).toBe(
      "95% bootstrap CI, 2000 resamples, seed 7, grouped by G.tsv (12 groups; 2 images not listed there, each a group of its own)",
    );
  });
});

describe("formatInterval", () => {
  it("writes the estimate and bounds, or why there are none", () => {
    expect(formatInterval({ estimate: 0.94551, lower: 0.92, upper: 0.97, defined: 2000 })).toBe(
      "0.9455 [0.9200, 0.9700]",
    );
    expect(formatInterval({ estimate: 0.5, lower: 0.25, upper: 0.75, defined: 9, reason: "r" }, 2)).toBe(
      "0.50 [0.25, 0.75] (r)",
    );
    expect(
      formatInterval({ estimate: null, lower: null, upper: null, defined: 0, reason: "no images" }),
    ).toBe("n/a (no images)");
    expect(formatInterval({ estimate: 1, lower: null, upper: null, defined: 0, reason: "r" })).toBe(
      "1.0000 [n/a] (r)",
    );
  });
});

describe("formatMetricIntervals", () => {
  it("puts the method on the accuracy line and one line per class", () => {
    const m = bootstrapMetricIntervals(
      {
        probabilities: [
          [0.8, 0.2],
          [0.4, 0.6],
          [0.3, 0.7],
        ],
        labels: [0, 1, 1],
        classNames: ["a", "b"],
      },
      { resamples: 10, seed: 7 },
    );
    const lines = formatMetricIntervals(m);
    expect(lines[0]).toMatch(
      /^accuracy 1\.0000 \[1\.0000, 1\.0000\] \(95% bootstrap CI, 10 resamples, seed 7, resampled per image \(3 images\)\)$/,
    );
    expect(lines.slice(1, 4).map((l) => l.split(" ")[0])).toEqual(["macro-F1", "macro", "ECE"]);
    expect(lines[4]).toMatch(
      /^ {2}a: recall 1\.0000 \[.*\].*, precision 1\.0000 \[.*\].*, AUC 1\.0000 \[.*\]/,
    );
    expect(lines).toHaveLength(6);
  });
});
