import { expectedCalibration, type ReliabilityBin } from "./calibration.ts";
import { type ClassificationReport, classificationReport } from "./classification-report.ts";
import { confusionMatrix, sensitivitySpecificity } from "./confusion-matrix.ts";
import { meanLogLoss } from "./log-loss.ts";
import { argmax, type Probabilities, probabilityRows } from "./probabilities.ts";
import { type ClassRoc, macroAuc, oneVsRestRoc } from "./roc.ts";

/** Everything CXR Lab reports about a set of predictions; plain JSON-ready data. */
export interface EvaluationMetrics {
  classNames: string[];
  count: number;
  /** Mean sparse categorical cross-entropy (Keras clipping). */
  loss: number;
  accuracy: number;
  /** Rows are true classes, columns predicted classes (argmax of the probabilities). */
  confusionMatrix: number[][];
  report: ClassificationReport;
  /** One-vs-rest ROC curve and AUC per class, in `classNames` order. */
  roc: ClassRoc[];
  /** Mean of the defined per-class AUCs; null if none is defined. */
  macroAuc: number | null;
  sensitivity: number[];
  specificity: number[];
  /** Expected calibration error of the top-label confidence. */
  ece: number;
  reliability: ReliabilityBin[];
}

export interface PredictionsInput {
  /** Class probabilities: rows, or row-major labels.length x classNames.length values. */
  probabilities: Probabilities;
  /** True class index of each example. */
  labels: ArrayLike<number>;
  classNames: readonly string[];
  /** Equal-width confidence bins for the calibration error (15 by default). */
  calibrationBins?: number;
}

export function evaluatePredictions(input: PredictionsInput): EvaluationMetrics {
  const { labels, classNames } = input;
  const rows = probabilityRows(input.probabilities, labels, classNames.length);
  const predicted = rows.map(argmax);
  const matrix = confusionMatrix(labels, predicted, classNames.length);
  const report = classificationReport(labels, predicted, classNames);
  const roc = oneVsRestRoc(rows, labels);
  const calibration = expectedCalibration(rows, labels, input.calibrationBins);
  return {
    classNames: [...classNames],
    count: rows.length,
    loss: meanLogLoss(rows, labels),
    accuracy: report.accuracy,
    confusionMatrix: matrix,
    report,
    roc,
    macroAuc: macroAuc(roc),
    ...sensitivitySpecificity(matrix),
    ece: calibration.ece,
    reliability: calibration.bins,
  };
}
