export {
  type Calibration,
  calibrationError,
  expectedCalibration,
  type ReliabilityBin,
} from "./calibration.ts";
export {
  type ClassificationReport,
  type ClassScores,
  classificationReport,
  formatClassificationReport,
} from "./classification-report.ts";
export {
  type ClassCounts,
  classCounts,
  confusionMatrix,
  sensitivitySpecificity,
} from "./confusion-matrix.ts";
export { type EvaluationMetrics, evaluatePredictions, type PredictionsInput } from "./evaluate.ts";
export { formatFixed } from "./format-fixed.ts";
export { meanLogLoss } from "./log-loss.ts";
export { argmax, type Probabilities, probabilityRows } from "./probabilities.ts";
export { type ClassRoc, macroAuc, oneVsRestRoc, type RocCurve, rocCurve, trapezoidArea } from "./roc.ts";
