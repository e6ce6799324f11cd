import { stat } from "node:fs/promises";
import { type ImageRecord, listImageFiles } from "../data/index.ts";
import { checkImages } from "../train/inputs.ts";
import { predictRecords } from "../train/predict.ts";
import type { ProgressListener } from "../train/progress.ts";
import { createForwardEngine, type EngineName } from "./engine.ts";
import { choosePrecision, type PrecisionRequest } from "./int8.ts";
import { loadModelForInference } from "./load.ts";

/** A model's prediction for one image file (distinct from db's RunPrediction, a stored run's). */
export interface FilePrediction {
  path: string;
  /** The true label's index when known (images from a labelled folder). */
  label: number | null;
  predicted: number;
  predictedClass: string;
  confidence: number;
  probabilities: Record<string, number>;
}

export function toImagePredictions(
  records: { path: string; label?: number }[],
  probs: Float32Array,
  classNames: string[],
): FilePrediction[] {
  const k = classNames.length;
  return records.map((r, i) => {
    const p = Array.from(probs.subarray(i * k, (i + 1) * k));
    const predicted = p.reduce((best, v, j) => (v > p[best]! ? j : best), 0);
    return {
      path: r.path,
      label: r.label ?? null,
      predicted,
      predictedClass: classNames[predicted]!,
      confidence: p[predicted]!,
      probabilities: Object.fromEntries(classNames.map((c, j) => [c, p[j]!])),
    };
  });
}

export interface PredictOptions {
  model: string;
  /** Image files, or folders whose images are all predicted. */
  inputs: string[];
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
}

export interface PredictResult {
  modelDir: string;
  /** What ran the model, e.g. "onnxruntime 1.30.0 cpu, 2 threads". */
  engine: string;
  /** The precision the model ran at, and why (see choosePrecision). */
  precision: "fp32" | "int8";
  precisionReason: string;
  classNames: string[];
  predictions: FilePrediction[];
  skipped: { path: string; reason: string }[];
}

export async function predictImages(options: PredictOptions): Promise<PredictResult> {
  const paths: string[] = [];
  for (const input of options.inputs) {
    const info = await stat(input).catch(() => {
      throw new Error(`image not found: ${input}`);
    });
    paths.push(...(info.isDirectory() ? await listImageFiles(input) : [input]));
  }
  if (paths.length === 0) throw new Error(`no images found in ${options.inputs.join(", ")}`);
  const { model, meta, loader, modelDir } = await loadModelForInference(options.model);
  const records: ImageRecord[] = paths.map((p) => ({ path: p, label: -1, className: "" }));
  const checked = await checkImages(records, loader, {
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
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const unlabeled = checked.good.map((r) => ({ path: r.path }));
    return {
      modelDir,
      engine: engine.description,
      precision: engine.precision,
      precisionReason: choice.reason,
      classNames: meta.classNames,
      predictions: toImagePredictions(unlabeled, probs, meta.classNames),
      skipped: checked.bad,
    };
  } finally {
    await engine.dispose();
    model.dispose();
  }
}
