import { listImageDirectory } from "../data/index.ts";
import {
  type BootstrapSettings,
  type EvaluationMetrics,
  evaluatePredictions,
  type MetricIntervals,
} from "../metrics/index.ts";
import { checkImages } from "../train/inputs.ts";
import { predictRecords } from "../train/predict.ts";
import type { ProgressListener } from "../train/progress.ts";
import { createForwardEngine, type EngineName } from "./engine.ts";
import { folderMetricIntervals } from "./folder-intervals.ts";
import { choosePrecision, type PrecisionRequest } from "./int8.ts";
import { loadModelForInference } from "./load.ts";
import { type FilePrediction, toImagePredictions } from "./predict.ts";

export interface EvaluateOptions {
  model: string;
  dataDir: string;
  batchSize?: number;
  skipBad?: boolean;
  /** What runs the model (default: onnx when onnxruntime-node loads, else tfjs). */
  engine?: EngineName;
  /**
   * auto (default): int8 when the model's recorded int8 check passed (cxrlab model quantize),
   * else fp32; fp32 or int8 to force one.
   */
  precision?: PrecisionRequest;
  onProgress?: ProgressListener;
  /** Stops between images (checking) and between batches, throwing the signal's reason. */
  signal?: AbortSignal;
  /** Resamples and seed of the metrics' bootstrap intervals. */
  bootstrap?: Omit<BootstrapSettings, "grouping">;
}

export interface EvaluateResult {
  modelDir: string;
  /** What ran the model, e.g. "onnxruntime 1.30.0 cpu, 2 threads". */
  engine: string;
  /** The precision the model ran at, and why (see choosePrecision). */
  precision: "fp32" | "int8";
  precisionReason: string;
  dataDir: string;
  classNames: string[];
  metrics: EvaluationMetrics;
  /** Bootstrap intervals of the metrics, grouped by the folder's GROUPS.tsv when it has one. */
  intervals: MetricIntervals;
  predictions: FilePrediction[];
  skipped: { path: string; reason: string }[];
}

/** Scores a saved model on a labelled folder laid out like the training data. */
export async function evaluateModel(options: EvaluateOptions): Promise<EvaluateResult> {
  const { model, meta, loader, modelDir } = await loadModelForInference(options.model);
  const data = await listImageDirectory(options.dataDir, { classNames: meta.classNames });
  const checked = await checkImages(data.records, loader, {
    skipBad: options.skipBad ?? false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const choice = choosePrecision(model, modelDir, options.precision, options.engine);
  const engine = await createForwardEngine(model, {
    ...(options.engine ? { engine: options.engine } : {}),
    ...choice.engineOptions,
  });
  try {
    const probs = await predictRecords(engine, checked.good, loader, {
      batchSize: options.batchSize ?? 8,
      phase: "test",
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const scored = {
      probabilities: probs,
      labels: checked.good.map((r) => r.label),
      classNames: meta.classNames,
    };
    const paths = checked.good.map((r) => r.path);
    return {
      modelDir,
      engine: engine.description,
      precision: engine.precision,
      precisionReason: choice.reason,
      dataDir: options.dataDir,
      classNames: meta.classNames,
      metrics: evaluatePredictions(scored),
      intervals: await folderMetricIntervals(
        { ...scored, folder: options.dataDir, paths },
        options.bootstrap,
      ),
      predictions: toImagePredictions(checked.good, probs, meta.classNames),
      skipped: checked.bad,
    };
  } finally {
    await engine.dispose();
    model.dispose();
  }
}
