import type { ImageRecord } from "../data/index.ts";
import { checkImages } from "../train/inputs.ts";
import { predictRecords } from "../train/predict.ts";
import type { ProgressListener } from "../train/progress.ts";
import { createForwardEngine, type EngineName } from "./engine.ts";
import { choosePrecision, type PrecisionRequest } from "./int8.ts";
import type { ModelForInference } from "./load.ts";

/** How a saved model is run over images: the controls predict and evaluate share. */
export interface ModelRunOptions {
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

/** What running a saved model reports, whatever it was run for. */
export interface ModelRun {
  modelDir: string;
  /** What ran the model, e.g. "onnxruntime 1.30.0 cpu, 2 threads". */
  engine: string;
  /** The precision the model ran at, and why (see choosePrecision). */
  precision: "fp32" | "int8";
  precisionReason: string;
  classNames: string[];
  skipped: { path: string; reason: string }[];
}

/**
 * Checks `records`, runs the loaded model over the readable ones at the precision its int8 check
 * allows, and disposes the model: the probabilities (a row per readable record) and the records
 * they belong to.
 */
export async function runLoadedModel<R extends ImageRecord>(
  { model, meta, loader, modelDir }: ModelForInference,
  records: R[],
  options: ModelRunOptions,
  phase: "predict" | "test",
): Promise<ModelRun & { records: R[]; probabilities: Float32Array }> {
  const controls = {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  try {
    const checked = await checkImages(records, loader, { skipBad: options.skipBad ?? false, ...controls });
    const choice = choosePrecision(model, modelDir, options.precision, options.engine);
    const engine = await createForwardEngine(model, {
      ...(options.engine ? { engine: options.engine } : {}),
      ...choice.engineOptions,
    });
    try {
      const probabilities = await predictRecords(engine, checked.good, loader, {
        batchSize: options.batchSize ?? 8,
        phase,
        ...controls,
      });
      return {
        modelDir,
        engine: engine.description,
        precision: engine.precision,
        precisionReason: choice.reason,
        classNames: meta.classNames,
        skipped: checked.bad,
        records: checked.good as R[],
        probabilities,
      };
    } finally {
      await engine.dispose();
    }
  } finally {
    model.dispose();
  }
}
