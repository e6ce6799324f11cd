export { type AgreementTrendPoint, agreementTrendSvg } from "./agreement-trend.ts";
export { type ComparedRun, type ComparisonCurvesOptions, comparisonCurvesSvg } from "./comparison-curves.ts";
export { type ConfusionMatrixOptions, confusionMatrixSvg } from "./confusion-matrix.ts";
export {
  isoDay,
  type ProbabilityTrendOptions,
  probabilityTrendSvg,
  type TrendPoint,
} from "./probability-trend.ts";
export { type ReliabilityDiagramOptions, reliabilityDiagramSvg } from "./reliability-diagram.ts";
export { type RocCurvesOptions, rocCurvesSvg } from "./roc-curves.ts";
export { type CurvePoint, type TrainingCurvesOptions, trainingCurvesSvg } from "./training-curves.ts";
export { renderPng, type WrittenPlot, writePlot } from "./write.ts";
