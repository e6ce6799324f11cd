import { classCounts, confusionMatrix, safeDivide } from "./confusion-matrix.ts";
import { formatFixed } from "./format-fixed.ts";

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  classes: ({ name: string } & ClassScores)[];
  accuracy: number;
  /** Unweighted mean of the per-class scores; support is the total. */
  macroAvg: ClassScores;
  /** Mean of the per-class scores weighted by support; support is the total. */
  weightedAvg: ClassScores;
}

/**
 * sklearn's `classification_report` as data, over every class in `classNames` (index = label),
 * with `zero_division=0`: precision of a class never predicted, recall of a class never present
 * and their F1 are 0, and they still count in the macro average.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classNames: readonly string[],
): ClassificationReport {
  if (yTrue.length === 0) throw new Error("metrics: classificationReport needs at least one label");
  const matrix = confusionMatrix(yTrue, yPred, classNames.length);
  const classes = classNames.map((name, c) => {
    const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = classCounts(matrix, c);
    return {
      name,
      precision: safeDivide(tp, tp + fp),
      recall: safeDivide(tp, tp + fn),
      f1: safeDivide(2 * tp, 2 * tp + fp + fn),
      support: tp + fn,
    };
  });
  const total = yTrue.length;
  const correct = matrix.reduce((sum, row, c) => sum + row[c]!, 0);
  const average = (score: keyof ClassScores, weighted: boolean) =>
    classes.reduce((sum, k) => sum + k[score] * (weighted ? k.support : 1), 0) /
    (weighted ? total : classes.length);
  const averages = (weighted: boolean): ClassScores => ({
    precision: average("precision", weighted),
    recall: average("recall", weighted),
    f1: average("f1", weighted),
    support: total,
  });
  return { classes, accuracy: correct / total, macroAvg: averages(false), weightedAvg: averages(true) };
}

/**
 * The report as text, laid out character for character like sklearn's
 * `classification_report(..., digits=digits)` (sklearn/metrics/_classification.py), trailing newline included.
 */
export function formatClassificationReport(report: ClassificationReport, digits = 5): string {
  const width = Math.max(...report.classes.map((k) => k.name.length), "weighted avg".length, digits);
  // Python's "{:>{width}s} " + " {:>9...}" * n: each column is a space and a right-aligned 9-wide field.
  const name = (text: string) => `${text.padStart(width)} `;
  const column = (text: string) => ` ${text.padStart(9)}`;
  const scoreRow = (heading: string, s: ClassScores) =>
    name(heading) +
    [s.precision, s.recall, s.f1].map((v) => column(formatFixed(v, digits))).join("") +
    column(String(s.support));
  const lines = [
    name("") + ["precision", "recall", "f1-score", "support"].map(column).join(""),
    "",
    ...report.classes.map((k) => scoreRow(k.name, k)),
    "",
    // sklearn leaves the accuracy row's precision and recall columns blank.
    name("accuracy") +
      column("") +
      column("") +
      column(formatFixed(report.accuracy, digits)) +
      column(String(report.macroAvg.support)),
    scoreRow("macro avg", report.macroAvg),
    scoreRow("weighted avg", report.weightedAvg),
  ];
  return `${lines.join("\n")}\n`;
}
