import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { classificationReport, formatClassificationReport } from "./classification-report.ts";

const NAMES = [...CXR_CLASS_NAMES];
// Confusion matrix [[2,1,0],[0,2,0],[1,2,0]]: Viral Pneumonia (class 2) is never predicted.
const Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2];
const Y_PRED = [0, 0, 1, 1, 1, 0, 1, 1];

describe("classificationReport", () => {
  it("computes per-class scores with zero_division=0 and sklearn's averages", () => {
    const report = classificationReport(Y_TRUE, Y_PRED, NAMES);
    // COVID: TP 2, FP 1, FN 1 -> P = R = F1 = 2/3. Normal: TP 2, FP 3, FN 0 -> P 2/5, R 1, F1 4/7.
    // Viral Pneumonia: no prediction -> P 0 (zero_division), TP 0 -> R 0, F1 0.
    expect(report.classes.map((k) => k.name)).toEqual(NAMES);
    expect(report.classes[0]!.precision).toBeCloseTo(2 / 3, 12);
    expect(report.classes[0]!.recall).toBeCloseTo(2 / 3, 12);
    expect(report.classes[0]!.f1).toBeCloseTo(2 / 3, 12);
    expect(report.classes[1]).toMatchObject({ precision: 0.4, recall: 1, support: 2 });
    expect(report.classes[1]!.f1).toBeCloseTo(4 / 7, 12);
    expect(report.classes[2]).toEqual({
      name: "Viral Pneumonia",
      precision: 0,
      recall: 0,
      f1: 0,
      support: 3,
    });
    expect(report.accuracy).toBe(0.5);
    // Macro: plain means, the zero row included. Weighted by supports 3, 2, 3 out of 8.
    expect(report.macroAvg.precision).toBeCloseTo((2 / 3 + 0.4 + 0) / 3, 12);
    expect(report.macroAvg.recall).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
    expect(report.macroAvg.f1).toBeCloseTo((2 / 3 + 4 / 7 + 0) / 3, 12);
    expect(report.weightedAvg.precision).toBeCloseTo((3 * (2 / 3) + 2 * 0.4) / 8, 12);
    expect(report.weightedAvg.recall).toBeCloseTo(0.5, 12);
    expect(report.weightedAvg.f1).toBeCloseTo((3 * (2 / 3) + 2 * (4 / 7)) / 8, 12);
    expect(report.macroAvg.support).toBe(8);
    expect(report.weightedAvg.support).toBe(8);
  });

  it("scores a class absent from both truth and predictions as 0 and keeps it in the macro average", () => {
    const report = classificationReport([0, 1], [0, 1], ["a", "b", "c"]);
    expect(report.classes[2]).toEqual({ name: "c", precision: 0, recall: 0, f1: 0, support: 0 });
    expect(report.macroAvg.precision).toBeCloseTo(2 / 3, 12);
    expect(report.weightedAvg.precision).toBe(1);
    expect(report.accuracy).toBe(1);
  });

  it("rejects an empty set", () => {
    expect(() => classificationReport([], [], NAMES)).toThrow("at least one label");
  });
});

describe("formatClassificationReport", () => {
  it("lays the report out like sklearn's classification_report(digits=5)", () => {
    // Width 15 from "Viral Pneumonia"; each column is one space plus a 9-wide right-aligned field.
    const expected = [
      "                 precision    recall  f1-score   support",
      "",
      "          COVID    0.66667   0.66667   0.66667         3",
      "         Normal    0.40000   1.00000   0.57143         2",
      "Viral Pneumonia    0.00000   0.00000   0.00000         3",
      "",
      "       accuracy                        0.50000         8",
      "      macro avg    0.35556   0.55556   0.41270         8",
      "   weighted avg    0.35000   0.50000   0.39286         8",
      "",
    ].join("\n");
    expect(formatClassificationReport(classificationReport(Y_TRUE, Y_PRED, NAMES))).toBe(expected);
  });

  it("widens to 'weighted avg' for short names and honours digits", () => {
    const expected = [
      "              precision    recall  f1-score   support",
      "",
      "           a      1.000     1.000     1.000         1",
      "           b      1.000     1.000     1.000         2",
      "",
      "    accuracy                          1.000         3",
      "   macro avg      1.000     1.000     1.000         3",
      "weighted avg      1.000     1.000     1.000         3",
      "",
    ].join("\n");
    expect(formatClassificationReport(classificationReport([0, 1, 1], [0, 1, 1], ["a", "b"]), 3)).toBe(
      expected,
    );
  });
});
