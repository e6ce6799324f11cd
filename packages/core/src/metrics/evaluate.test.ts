import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { evaluatePredictions } from "./evaluate.ts";

const NAMES = [...CXR_CLASS_NAMES];
// Argmax predictions 0, 0 (tie -> first), 1, 0, 2, 1 for labels 0, 0, 1, 1, 2, 2:
// confusion matrix [[2,0,0],[1,1,0],[0,1,1]].
const ROWS = [
  [0.7, 0.2, 0.1],
  [0.4, 0.4, 0.2],
  [0.3, 0.6, 0.1],
  [0.5, 0.3, 0.2],
  [0.1, 0.3, 0.6],
  [0.2, 0.5, 0.3],
];
const LABELS = [0, 0, 1, 1, 2, 2];

describe("evaluatePredictions", () => {
  it("gathers every metric from nested rows", () => {
    const m = evaluatePredictions({ probabilities: ROWS, labels: LABELS, classNames: NAMES });
    expect(m.count).toBe(6);
    expect(m.classNames).toEqual(NAMES);
    expect(m.confusionMatrix).toEqual([
      [2, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.report.accuracy).toBe(m.accuracy);
    // True-class probabilities 0.7, 0.4, 0.6, 0.3, 0.6, 0.3.
    const logs = [0.7, 0.4, 0.6, 0.3, 0.6, 0.3].map(Math.log);
    expect(m.loss).toBeCloseTo(-logs.reduce((a, b) => a + b) / 6, 12);
    expect(m.sensitivity).toEqual([1, 0.5, 0.5]);
    // Negatives per class: 4; false positives 1 (row 3 as COVID), 1 (row 5 as Normal), 0.
    expect(m.specificity).toEqual([0.75, 0.75, 1]);
    expect(m.roc.map((r) => r.auc)).toEqual([expect.closeTo(7 / 8, 12), expect.closeTo(5.5 / 8, 12), 1]);
    expect(m.macroAuc).toBeCloseTo((7 / 8 + 5.5 / 8 + 1) / 3, 12);
    expect(m.ece).toBeCloseTo(2.7 / 6, 12);
    expect(m.reliability).toHaveLength(15);
  });

  it("reads a row-major Float32Array the same way and survives a JSON round trip", () => {
    const flat = Float64Array.from(ROWS.flat());
    const fromRows = evaluatePredictions({ probabilities: ROWS, labels: LABELS, classNames: NAMES });
    expect(evaluatePredictions({ probabilities: flat, labels: LABELS, classNames: NAMES })).toEqual(fromRows);
    const f32 = evaluatePredictions({
      probabilities: Float32Array.from(ROWS.flat()),
      labels: LABELS,
      classNames: NAMES,
    });
    expect(f32.confusionMatrix).toEqual(fromRows.confusionMatrix);
    expect(f32.loss).toBeCloseTo(fromRows.loss, 6);
    const json = JSON.parse(JSON.stringify(f32));
    expect(json.roc[0].thresholds[0]).toBeNull();
    expect(json.report).toEqual(f32.report);
  });

  it("names the problem with malformed input", () => {
    const base = { labels: LABELS, classNames: NAMES };
    expect(() => evaluatePredictions({ ...base, probabilities: new Float32Array(17) })).toThrow(
      "probabilities has 17 values, expected 6 labels x 3 classes = 18",
    );
    expect(() => evaluatePredictions({ ...base, probabilities: ROWS.slice(1) })).toThrow(
      "5 rows but there are 6 labels",
    );
    expect(() => evaluatePredictions({ ...base, probabilities: [...ROWS.slice(1), [0.5, 0.5]] })).toThrow(
      "row 5 has 2 values",
    );
    expect(() =>
      evaluatePredictions({ ...base, probabilities: [...ROWS.slice(1), [0.5, Number.NaN, 0.5]] }),
    ).toThrow("probabilities[5][1] is NaN");
    expect(() => evaluatePredictions({ ...base, labels: [0, 0, 1, 1, 2, 3], probabilities: ROWS })).toThrow(
      "labels[5] is 3",
    );
    expect(() => evaluatePredictions({ labels: [], classNames: NAMES, probabilities: [] })).toThrow(
      "no examples",
    );
  });
});
