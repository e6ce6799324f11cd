import { type EvaluateResult, evaluateModel } from "@cxrlab/core/inference";
import { DEFAULT_RESAMPLES } from "@cxrlab/core/metrics";
import { useBackend } from "../backend.ts";
import { recordForModelRun } from "../record-predictions.ts";
import { existingDir } from "./existing-dir.ts";
import type { ModelJobRequest } from "./model-job.ts";

export interface EvaluationRequest extends ModelJobRequest {
  data: string;
  /** Bootstrap resamples of the metrics' intervals (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap (default 0). */
  seed?: number;
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
  const { backend: _, data, resamples, seed, ...run } = request;
  const result = await evaluateModel({
    ...run,
    dataDir: data,
    bootstrap: { resamples: resamples ?? DEFAULT_RESAMPLES, seed: seed ?? 0 },
  });
  const runId = await recordForModelRun(result.modelDir, result.predictions, {
    dataDir: result.dataDir,
    metrics: result.metrics,
    intervals: result.intervals,
  });
  return { backend: backend.name, runId, result };
}
