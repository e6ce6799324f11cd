export {
  type BootstrapMethod,
  type BootstrapSettings,
  bootstrap,
  DEFAULT_RESAMPLES,
  type Grouping,
  type GroupingSummary,
  type Interval,
  percentileInterval,
  quantile,
} from "./bootstrap.ts";
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
export { describeBootstrap, formatInterval, formatMetricIntervals } from "./format-intervals.ts";
export { meanLogLoss } from "./log-loss.ts";
export { mcnemarExact } from "./mcnemar.ts";
export { bootstrapMetricIntervals, type ClassIntervals, type MetricIntervals } from "./metric-intervals.ts";
export { comparePairedAccuracy, type PairedComparison } from "./paired-comparison.ts";
export { argmax, type Probabilities, probabilityRows } from "./probabilities.ts";
export { type ClassRoc, macroAuc, oneVsRestRoc, type RocCurve, rocCurve, trapezoidArea } from "./roc.ts";
