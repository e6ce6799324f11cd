import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { createRng } from "../random.ts";
import type { Interval } from "./bootstrap.ts";
import { evaluatePredictions } from "./evaluate.ts";
import { bootstrapMetricIntervals, type MetricIntervals } from "./metric-intervals.ts";

const NAMES = [...CXR_CLASS_NAMES];

/** n examples cycling through the classes, right about `skill` of the time, from a seeded generator. */
function predictions(n: number, seed = 1, skill = 0.8) {
  const rng = createRng(seed);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const probabilities = labels.map((label) => {
    const winner = rng.next() < skill ? label : (label + 1 + rng.int(2)) % 3;
    const raw = [0, 1, 2].map((k) => (k === winner ? 1 + 2 * rng.next() : rng.next()));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / sum);
  });
  return { probabilities, labels, classNames: NAMES };
}

const width = (i: Interval) => i.upper! - i.lower!;
const allIntervals = (m: MetricIntervals): Interval[] => [
  m.accuracy,
  m.macroF1,
  m.macroAuc,
  m.ece,
  ...m.classes.flatMap((k) => [k.recall, k.precision, k.auc]),
];

describe("bootstrapMetricIntervals", () => {
  it("centres on the metrics evaluatePredictions reports and brackets them", () => {
    const input = predictions(150);
    const metrics = evaluatePredictions(input);
    const m = bootstrapMetricIntervals(input, { resamples: 500, seed: 3 });
    expect(m.accuracy.estimate).toBe(metrics.accuracy);
    expect(m.macroF1.estimate).toBe(metrics.report.macroAvg.f1);
    expect(m.macroAuc.estimate).toBe(metrics.macroAuc);
    expect(m.ece.estimate).toBe(metrics.ece);
    m.classes.forEach((k, c) => {
      expect(k.name).toBe(NAMES[c]);
      expect(k.recall.estimate).toBe(metrics.report.classes[c]!.recall);
      expect(k.precision.estimate).toBe(metrics.report.classes[c]!.precision);
      expect(k.auc.estimate).toBe(metrics.roc[c]!.auc);
    });
    for (const interval of allIntervals(m)) {
      expect(interval.defined).toBe(500);
      expect(interval.reason).toBeUndefined();
      expect(interval.lower!).toBeLessThanOrEqual(interval.estimate!);
      expect(interval.upper!).toBeGreaterThanOrEqual(interval.estimate!);
      expect(width(interval)).toBeGreaterThan(0);
    }
    expect(m).toMatchObject({ method: "percentile bootstrap", level: 0.95, resamples: 500, seed: 3 });
    expect(m.grouping).toEqual({ by: "image", units: 150 });
  });

  it("is the same for the same seed", () => {
    const input = predictions(60);
    const settings = { resamples: 200, seed: 9 };
    expect(bootstrapMetricIntervals(input, settings)).toEqual(bootstrapMetricIntervals(input, settings));
    expect(bootstrapMetricIntervals(input, { ...settings, seed: 10 }).accuracy).not.toEqual(
      bootstrapMetricIntervals(input, settings).accuracy,
    );
  });

  it("narrows as the test set grows (about 1/sqrt(n))", () => {
    const small = bootstrapMetricIntervals(predictions(90, 5), { resamples: 400 });
    const large = bootstrapMetricIntervals(predictions(1440, 5), { resamples: 400 });
    // 16 times the images: about a quarter of the width.
    expect(width(large.accuracy) / width(small.accuracy)).toBeGreaterThan(0.15);
    expect(width(large.accuracy) / width(small.accuracy)).toBeLessThan(0.4);
    for (const pick of [(m: MetricIntervals) => m.macroF1, (m: MetricIntervals) => m.classes[0]!.recall]) {
      expect(width(pick(large))).toBeLessThan(width(pick(small)) / 2);
    }
  });

  it("resamples copies of one image together when they share a group", () => {
    // Every image four times over: per image, the copies look like independent evidence and the
    // interval is half as wide as it should be; grouped, it is the interval of the distinct images.
    const distinct = predictions(120, 7);
    const copies = {
      probabilities: distinct.probabilities.flatMap((row) => [row, row, row, row]),
      labels: distinct.labels.flatMap((l) => [l, l, l, l]),
      classNames: NAMES,
    };
    const keys = distinct.labels.flatMap((_, i) => Array(4).fill(`g${i}`));
    const settings = { resamples: 1000, seed: 2 };
    const alone = bootstrapMetricIntervals(distinct, settings);
    const perImage = bootstrapMetricIntervals(copies, settings);
    const grouped = bootstrapMetricIntervals(copies, { ...settings, grouping: { keys, source: "copies" } });
    expect(grouped.grouping).toEqual({ by: "group", source: "copies", units: 120, ungrouped: 0 });
    expect(grouped.accuracy.estimate).toBe(alone.accuracy.estimate);
    expect(width(perImage.accuracy) / width(alone.accuracy)).toBeLessThan(0.65);
    expect(width(grouped.accuracy) / width(alone.accuracy)).toBeGreaterThan(0.8);
    expect(width(grouped.accuracy) / width(alone.accuracy)).toBeLessThan(1.25);
  });

  it("gives null with a reason for what an absent or never-predicted class leaves undefined", () => {
    // No Viral Pneumonia images, and Normal is never predicted.
    const probabilities = [
      [0.9, 0.05, 0.05],
      [0.7, 0.1, 0.2],
      [0.3, 0.2, 0.5],
      [0.6, 0.3, 0.1],
      [0.2, 0.1, 0.7],
    ];
    const labels = [0, 0, 0, 1, 1];
    const m = bootstrapMetricIntervals({ probabilities, labels, classNames: NAMES }, { resamples: 300 });
    const viral = m.classes[2]!;
    expect(viral.recall).toMatchObject({ estimate: null, lower: null, upper: null });
    expect(viral.recall.reason).toBe('no images of class "Viral Pneumonia"');
    expect(viral.auc.estimate).toBeNull();
    expect(viral.auc.reason).toBe('AUC needs images of "Viral Pneumonia" and of another class');
    // Viral Pneumonia is predicted (wrongly) twice: precision 0, defined wherever those are drawn.
    expect(viral.precision.estimate).toBe(0);
    expect(m.classes[1]!.precision).toMatchObject({ estimate: null, reason: '"Normal" is never predicted' });
    // Resamples without any Normal image have no Normal recall: left out and counted.
    expect(m.classes[1]!.recall.estimate).toBe(0);
    expect(m.classes[1]!.recall.defined).toBeLessThan(300);
    expect(m.classes[1]!.recall.reason).toMatch(/^undefined in \d+ of 300 resamples, left out$/);
    // The macro AUC averages COVID and Normal; resamples missing either are left out.
    expect(m.macroAuc.estimate).not.toBeNull();
    expect(m.macroAuc.defined).toBeLessThan(300);
    const json = JSON.parse(JSON.stringify(m));
    expect(json.classes[2].recall.estimate).toBeNull();
    expect(JSON.stringify(m)).not.toMatch(/NaN/);
  });

  it("survives a single example", () => {
    const m = bootstrapMetricIntervals(
      { probabilities: [[0.2, 0.8, 0]], labels: [1], classNames: NAMES },
      { resamples: 20 },
    );
    expect(m.accuracy).toEqual({ estimate: 1, lower: 1, upper: 1, defined: 20 });
    expect(m.macroAuc).toMatchObject({
      estimate: null,
      reason: "no class has images of it and of another class",
    });
  });
});
