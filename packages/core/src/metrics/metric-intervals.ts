import {
  type BootstrapMethod,
  type BootstrapSettings,
  bootstrap,
  type Interval,
  percentileInterval,
} from "./bootstrap.ts";
import { expectedCalibration } from "./calibration.ts";
import { classificationReport } from "./classification-report.ts";
import type { PredictionsInput } from "./evaluate.ts";
import { argmax, probabilityRows } from "./probabilities.ts";
import { macroAuc, oneVsRestRoc } from "./roc.ts";

export interface ClassIntervals {
  name: string;
  recall: Interval;
  precision: Interval;
  /** One-vs-rest AUC. */
  auc: Interval;
}

/** Bootstrap intervals of the headline metrics, with how they were resampled. */
export interface MetricIntervals extends BootstrapMethod {
  accuracy: Interval;
  macroF1: Interval;
  /** Mean of the per-class AUCs that are defined on the whole set. */
  macroAuc: Interval;
  ece: Interval;
  classes: ClassIntervals[];
}

/** The metrics of one resample; null where a metric is undefined on it. */
interface SampleScores {
  accuracy: number;
  macroF1: number;
  ece: number;
  macroAuc: number | null;
  recall: (number | null)[];
  precision: (number | null)[];
  auc: (number | null)[];
}

/**
 * Percentile bootstrap intervals for accuracy, macro-F1, each class's recall, precision and
 * one-vs-rest AUC, the macro AUC and the ECE, computed by the same functions as
 * `evaluatePredictions` on every resample (grouped when `settings.grouping` is given).
 *
 * Unlike the classification report's zero_division=0, a class's recall is undefined (null, with
 * the reason) without images of the class and its precision when it is never predicted, so a
 * resample lacking them is left out of that interval instead of counting as 0.
 */
export function bootstrapMetricIntervals(
  input: PredictionsInput,
  settings: BootstrapSettings = {},
): MetricIntervals {
  const { labels, classNames } = input;
  const rows = probabilityRows(input.probabilities, labels, classNames.length);
  const predicted = rows.map(argmax);
  const scores = (indices: readonly number[]): SampleScores => {
    const sampleRows = indices.map((i) => rows[i]!);
    const sampleLabels = indices.map((i) => labels[i]!);
    const samplePredicted = indices.map((i) => predicted[i]!);
    const report = classificationReport(sampleLabels, samplePredicted, classNames);
    const predictedCount = classNames.map((_, c) => samplePredicted.filter((p) => p === c).length);
    const roc = oneVsRestRoc(sampleRows, sampleLabels);
    return {
      accuracy: report.accuracy,
      macroF1: report.macroAvg.f1,
      ece: expectedCalibration(sampleRows, sampleLabels, input.calibrationBins).ece,
      macroAuc: macroAuc(roc),
      recall: report.classes.map((k) => (k.support === 0 ? null : k.recall)),
      precision: report.classes.map((k, c) => (predictedCount[c] === 0 ? null : k.precision)),
      auc: roc.map((r) => r.auc),
    };
  };
  const { method, estimate, draws } = bootstrap(rows.length, scores, settings);
  const interval = (pick: (s: SampleScores) => number | null, reason: string) =>
    percentileInterval(pick(estimate), draws.map(pick), method.level, reason);
  // The macro AUC of a resample that lost a class's AUC would average other classes: leave it out.
  const aucClasses = estimate.auc.flatMap((a, c) => (a === null ? [] : [c]));
  const macroAucOf = (s: SampleScores) => (aucClasses.every((c) => s.auc[c] !== null) ? s.macroAuc : null);
  return {
    ...method,
    accuracy: interval((s) => s.accuracy, "no examples"),
    macroF1: interval((s) => s.macroF1, "no examples"),
    macroAuc: interval(macroAucOf, "no class has images of it and of another class"),
    ece: interval((s) => s.ece, "no examples"),
    classes: classNames.map((name, c) => ({
      name,
      recall: interval((s) => s.recall[c] ?? null, `no images of class "${name}"`),
      precision: interval((s) => s.precision[c] ?? null, `"${name}" is never predicted`),
      auc: interval((s) => s.auc[c] ?? null, `AUC needs images of "${name}" and of another class`),
    })),
  };
}
