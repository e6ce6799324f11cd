import { describe, expect, it } from "vitest";
import { macroAuc, oneVsRestRoc, rocCurve, trapezoidArea } from "./roc.ts";

describe("rocCurve", () => {
  it("moves diagonally through tied scores", () => {
    // Descending: 0.9 (+), 0.9 (-) | 0.7 (+) | 0.5 (-), 0.5 (+). After each distinct score:
    // (fp, tp) = (1, 1), (1, 2), (2, 3) with 2 negatives and 3 positives.
    const curve = rocCurve([true, false, true, false, true], [0.9, 0.9, 0.7, 0.5, 0.5])!;
    expect(curve.fpr).toEqual([0, 0.5, 0.5, 1]);
    expect(curve.tpr).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(curve.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.9, 0.7, 0.5]);
    // Trapezoids 0.5 * (0 + 1/3) / 2 + 0 + 0.5 * (2/3 + 1) / 2 = 1/12 + 5/12; pairwise the same:
    // ties count 1/2, (0.9,0.9) 0.5 + (0.9,0.5) 1 + (0.7,0.5) 1 + (0.5,0.5) 0.5 = 3 of 6 pairs.
    expect(trapezoidArea(curve.fpr, curve.tpr)).toBeCloseTo(0.5, 12);
  });

  it("drops collinear points like drop_intermediate=True", () => {
    const positive = [true, true, true, false, false];
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
    // Points (fp, tp): (0,1) (0,2) (0,3) (1,3) (2,3); (0,2) and (1,3) lie on straight runs.
    const all = rocCurve(positive, scores, false)!;
    expect(all.fpr).toEqual([0, 0, 0, 0, 0.5, 1]);
    expect(all.tpr).toEqual([0, 1 / 3, 2 / 3, 1, 1, 1]);
    const dropped = rocCurve(positive, scores)!;
    expect(dropped.fpr).toEqual([0, 0, 0, 1]);
    expect(dropped.tpr).toEqual([0, 1 / 3, 1, 1]);
    expect(dropped.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.9, 0.7, 0.5]);
    expect(trapezoidArea(dropped.fpr, dropped.tpr)).toBe(1);
    expect(trapezoidArea(all.fpr, all.tpr)).toBe(1);
  });

  it("is undefined when only one class is present", () => {
    expect(rocCurve([true, true], [0.2, 0.8])).toBeNull();
    expect(rocCurve([false, false], [0.2, 0.8])).toBeNull();
  });
});

describe("oneVsRestRoc", () => {
  it("scores each class by its probability column (AUC = pairwise ranking, ties 1/2)", () => {
    const probabilities = [
      [0.7, 0.2, 0.1],
      [0.4, 0.4, 0.2],
      [0.3, 0.6, 0.1],
      [0.5, 0.3, 0.2],
      [0.1, 0.3, 0.6],
      [0.2, 0.5, 0.3],
    ];
    const curves = oneVsRestRoc(probabilities, [0, 0, 1, 1, 2, 2]);
    // Class 0: positives 0.7, 0.4 vs negatives 0.3, 0.5, 0.1, 0.2 -> 4 + 3 of 8 pairs.
    expect(curves[0]!.auc).toBeCloseTo(7 / 8, 12);
    // Class 1: positives 0.6, 0.3 vs 0.2, 0.4, 0.3, 0.5 -> 4 + (1 + 0.5) of 8 pairs.
    expect(curves[1]!.auc).toBeCloseTo(5.5 / 8, 12);
    // Class 2: positives 0.6, 0.3 above every negative (0.1, 0.2, 0.1, 0.2).
    expect(curves[2]!.auc).toBeCloseTo(1, 12);
    expect(macroAuc(curves)).toBeCloseTo((7 / 8 + 5.5 / 8 + 1) / 3, 12);
  });

  it("gives a perfect classifier AUC 1 for every class", () => {
    const curves = oneVsRestRoc(
      [
        [0.9, 0.05, 0.05],
        [0.1, 0.8, 0.1],
        [0.2, 0.2, 0.6],
        [0.6, 0.3, 0.1],
      ],
      [0, 1, 2, 0],
    );
    expect(curves.map((c) => c.auc)).toEqual([1, 1, 1]);
  });

  it("leaves the AUC of a class without examples undefined and averages the others", () => {
    const curves = oneVsRestRoc(
      [
        [0.8, 0.2, 0],
        [0.3, 0.7, 0],
        [0.6, 0.4, 0],
      ],
      [0, 1, 1],
    );
    expect(curves[2]).toEqual({ fpr: [], tpr: [], thresholds: [], auc: null });
    // Class 0: 0.8 above 0.3 and 0.6 -> 1. Class 1: positives 0.7, 0.4 vs negative 0.2 -> 1.
    expect(macroAuc(curves)).toBe(1);
  });
});
