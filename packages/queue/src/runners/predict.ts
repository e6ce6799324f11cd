import { type PredictResult, predictImages } from "@cxrlab/core/inference";
import { useBackend } from "../backend.ts";
import { recordForModelRun } from "../record-predictions.ts";
import { existingDir } from "./existing-dir.ts";
import type { ModelJobRequest } from "./model-job.ts";

export interface PredictionRequest extends ModelJobRequest {
  /** Image files or folders. */
  inputs: string[];
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
  const { backend: _, ...run } = request;
  const result = await predictImages(run);
  const runId = await recordForModelRun(result.modelDir, result.predictions);
  return { backend: backend.name, runId, result };
}
