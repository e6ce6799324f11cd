/** Throws unless every label is an integer class index in [0, numClasses). */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new Error(`metrics: ${what}[${i}] is ${label}, expected a class index in [0, ${numClasses - 1}]`);
    }
  }
}

/** Counts of (true class, predicted class) pairs: rows are true classes, columns predicted ones. */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`metrics: numClasses is ${numClasses}, expected a positive integer`);
  }
  if (yTrue.length !== yPred.length) {
    throw new Error(`metrics: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  checkLabels(yTrue, numClasses, "yTrue");
  checkLabels(yPred, numClasses, "yPred");
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]!]![yPred[i]!]!++;
  return matrix;
}

export interface ClassCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

/** One-vs-rest counts of class `c` read off a confusion matrix. */
export function classCounts(matrix: number[][], c: number): ClassCounts {
  let total = 0;
  let predicted = 0;
  let actual = 0;
  matrix.forEach((row, i) => {
    row.forEach((count, j) => {
      total += count;
      if (j === c) predicted += count;
      if (i === c) actual += count;
    });
  });
  const truePositives = matrix[c]?.[c] ?? 0;
  return {
    truePositives,
    falsePositives: predicted - truePositives,
    falseNegatives: actual - truePositives,
    trueNegatives: total - predicted - actual + truePositives,
  };
}

/** `numerator / denominator`, or 0 when the denominator is 0 (sklearn's `zero_division=0`). */
export function safeDivide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * Per-class sensitivity TP / (TP + FN) (the recall) and specificity TN / (TN + FP), one-vs-rest;
 * 0 where a class has no positive (or no negative) examples.
 */
export function sensitivitySpecificity(matrix: number[][]): { sensitivity: number[]; specificity: number[] } {
  const counts = matrix.map((_, c) => classCounts(matrix, c));
  return {
    sensitivity: counts.map((k) => safeDivide(k.truePositives, k.truePositives + k.falseNegatives)),
    specificity: counts.map((k) => safeDivide(k.trueNegatives, k.trueNegatives + k.falsePositives)),
  };
}
