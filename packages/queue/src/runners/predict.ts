import type { BackendName } from "@cxrlab/core/backend";
import type { PrecisionRequest } from "@cxrlab/core/inference";
import { type PredictResult, predictImages } from "@cxrlab/core/inference";
import type { ProgressEvent } from "@cxrlab/core/train/progress";
import { useBackend } from "../backend.ts";
import { recordForModelRun } from "../record-predictions.ts";
import { existingDir } from "./existing-dir.ts";

export interface PredictionRequest {
  /** Run folder or its model/ folder. */
  model: string;
  /** Image files or folders. */
  inputs: string[];
  batchSize?: number;
  backend?: BackendName;
  skipBad?: boolean;
  /** auto (default): int8 when the model's recorded int8 check passed; fp32/int8 force one. */
  precision?: PrecisionRequest;
  /** A queued job's: stops it between images and batches (nothing is recorded then). */
  signal?: AbortSignal;
  /** Told each progress event (a terminal progress bar). */
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * Classifies image files and folders with a model and records the predictions under the model's
 * training run (`cxrlab predict` and queued prediction jobs).
 */
export async function runPrediction(
  request: PredictionRequest,
): Promise<{ backend: string; runId: number | null; result: PredictResult }> {
  if (!request.inputs.length) throw new Error("no images given (or use --patient)");
  existingDir("--model", request.model);
  const backend = await useBackend(request.backend);
  const result = await predictImages({
    model: request.model,
    inputs: request.inputs,
    batchSize: request.batchSize ?? 8,
    skipBad: request.skipBad ?? false,
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    ...(request.precision ? { precision: request.precision } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const runId = await recordForModelRun(result.modelDir, result.predictions);
  return { backend: backend.name, runId, result };
}
