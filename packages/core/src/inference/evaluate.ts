import { listImageDirectory } from "../data/index.ts";
import {
  type BootstrapSettings,
  type EvaluationMetrics,
  evaluatePredictions,
  type MetricIntervals,
} from "../metrics/index.ts";
import { folderMetricIntervals } from "./folder-intervals.ts";
import { loadModelForInference } from "./load.ts";
import { type FilePrediction, toImagePredictions } from "./predict.ts";
import { type ModelRun, type ModelRunOptions, runLoadedModel } from "./run-model.ts";

export interface EvaluateOptions extends ModelRunOptions {
  model: string;
  dataDir: string;
  /** Resamples and seed of the metrics' bootstrap intervals. */
  bootstrap?: Omit<BootstrapSettings, "grouping">;
}

export interface EvaluateResult extends ModelRun {
  dataDir: string;
  metrics: EvaluationMetrics;
  /** Bootstrap intervals of the metrics, grouped by the folder's GROUPS.tsv when it has one. */
  intervals: MetricIntervals;
  predictions: FilePrediction[];
}

/** Scores a saved model on a labelled folder laid out like the training data. */
export async function evaluateModel(options: EvaluateOptions): Promise<EvaluateResult> {
  const loaded = await loadModelForInference(options.model);
  const data = await listImageDirectory(options.dataDir, { classNames: loaded.meta.classNames }).catch(
    (err: unknown) => {
      loaded.model.dispose();
      throw err;
    },
  );
  const { records, probabilities, ...run } = await runLoadedModel(loaded, data.records, options, "test");
  const scored = { probabilities, labels: records.map((r) => r.label), classNames: run.classNames };
  const paths = records.map((r) => r.path);
  return {
    ...run,
    dataDir: options.dataDir,
    metrics: evaluatePredictions(scored),
    intervals: await folderMetricIntervals({ ...scored, folder: options.dataDir, paths }, options.bootstrap),
    predictions: toImagePredictions(records, probabilities, run.classNames),
  };
}
