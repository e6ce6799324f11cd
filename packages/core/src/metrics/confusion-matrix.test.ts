import { describe, expect, it } from "vitest";
import { classCounts, confusionMatrix, sensitivitySpecificity } from "./confusion-matrix.ts";

describe("confusionMatrix", () => {
  it("counts rows by true class and columns by predicted class", () => {
    expect(confusionMatrix([0, 0, 0, 1, 1, 2, 2, 2], [0, 0, 1, 1, 1, 0, 1, 1], 3)).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 2, 0],
    ]);
  });

  it("rejects labels outside the classes and mismatched lengths", () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow("yTrue[1] is 3");
    expect(() => confusionMatrix([0, 1], [0, 1.5], 3)).toThrow("yPred[1] is 1.5");
    expect(() => confusionMatrix([0, 1], [0], 3)).toThrow("yTrue has 2 labels but yPred has 1");
  });
});

describe("sensitivitySpecificity", () => {
  // [[2,1,0],[0,2,0],[1,2,0]], 8 examples. Class 0: TP 2, FN 1, FP 1, TN 4. Class 1: TP 2, FN 0,
  // FP 3, TN 3. Class 2: TP 0, FN 3, FP 0, TN 5.
  const matrix = [
    [2, 1, 0],
    [0, 2, 0],
    [1, 2, 0],
  ];

  it("reads one-vs-rest counts off the matrix", () => {
    expect(classCounts(matrix, 1)).toEqual({
      truePositives: 2,
      falsePositives: 3,
      falseNegatives: 0,
      trueNegatives: 3,
    });
  });

  it("gives TP/(TP+FN) and TN/(TN+FP) per class", () => {
    const { sensitivity, specificity } = sensitivitySpecificity(matrix);
    expect(sensitivity).toEqual([2 / 3, 1, 0]);
    expect(specificity).toEqual([4 / 5, 3 / 6, 5 / 5]);
  });

  it("gives 0 for a class with no examples", () => {
    expect(
      sensitivitySpecificity([
        [3, 0],
        [0, 0],
      ]).sensitivity,
    ).toEqual([1, 0]);
  });
});
