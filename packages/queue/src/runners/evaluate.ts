import type { BackendName } from "@cxrlab/core/backend";
import type { PrecisionRequest } from "@cxrlab/core/inference";
import { type EvaluateResult, evaluateModel } from "@cxrlab/core/inference";
import { DEFAULT_RESAMPLES } from "@cxrlab/core/metrics";
import type { ProgressEvent } from "@cxrlab/core/train/progress";
import { useBackend } from "../backend.ts";
import { recordForModelRun } from "../record-predictions.ts";
import { existingDir } from "./existing-dir.ts";

export interface EvaluationRequest {
  /** Run folder or its model/ folder. */
  model: string;
  data: string;
  batchSize?: number;
  backend?: BackendName;
  skipBad?: boolean;
  /** Bootstrap resamples of the metrics' intervals (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap (default 0). */
  seed?: number;
  /** auto (default): int8 when the model's recorded int8 check passed; fp32/int8 force one. */
  precision?: PrecisionRequest;
  /** A queued job's: stops it between images and batches (nothing is recorded then). */
  signal?: AbortSignal;
  /** Told each progress event (a terminal progress bar). */
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * Scores a model on a labelled folder and records the evaluation (split `folder:<path>`) and its
 * predictions under the model's training run (`cxrlab evaluate` and queued evaluation jobs).
 */
export async function runEvaluation(
  request: EvaluationRequest,
): Promise<{ backend: string; runId: number | null; result: EvaluateResult }> {
  existingDir("--model", request.model);
  existingDir("--data", request.data);
  const backend = await useBackend(request.backend);
  const result = await evaluateModel({
    model: request.model,
    dataDir: request.data,
    batchSize: request.batchSize ?? 8,
    skipBad: request.skipBad ?? false,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    bootstrap: { resamples: request.resamples ?? DEFAULT_RESAMPLES, seed: request.seed ?? 0 },
    ...(request.precision ? { precision: request.precision } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const runId = await recordForModelRun(result.modelDir, result.predictions, {
    dataDir: result.dataDir,
    metrics: result.metrics,
    intervals: result.intervals,
  });
  return { backend: backend.name, runId, result };
}
