import { existsSync } from "node:fs";
import path from "node:path";
import type { FilePrediction } from "@cxrlab/core/inference";
import type { EvaluationMetrics, MetricIntervals } from "@cxrlab/core/metrics";
import { readJson } from "@cxrlab/core/run";
import { recordEvaluation, recordImagePredictions, withStore } from "@cxrlab/db";

/** The store's run id of the training run that produced a model folder, when it was recorded. */
export async function runIdOfModel(modelDir: string): Promise<number | null> {
  const inputs = path.join(path.dirname(modelDir), "inputs.json");
  if (!existsSync(inputs)) return null;
  const { runId } = await readJson<{ runId?: number }>(inputs, "run inputs");
  return runId ?? null;
}

/**
 * Stores predictions (and, for a labelled folder, the evaluation as split `folder:<path>`) under
 * the model's training run; returns that run's id, or null if it has none.
 */
export async function recordForModelRun(
  modelDir: string,
  predictions: FilePrediction[],
  evaluation?: { dataDir: string; metrics: EvaluationMetrics; intervals?: MetricIntervals },
): Promise<number | null> {
  const runId = await runIdOfModel(modelDir);
  if (runId === null) {
    process.stderr.write(`store: ${modelDir} is not from a recorded run; predictions not stored\n`);
    return null;
  }
  await withStore(async (store) => {
    if (evaluation) {
      await recordEvaluation(
        store,
        runId,
        `folder:${path.resolve(evaluation.dataDir)}`,
        evaluation.metrics,
        evaluation.intervals ?? null,
      );
    }
    const classNames = evaluation?.metrics.classNames;
    await recordImagePredictions(
      store,
      runId,
      predictions.map((p) => ({
        path: p.path,
        label: classNames && p.label !== null ? (classNames[p.label] ?? null) : null,
        probabilities: p.probabilities,
        predictedClass: p.predictedClass,
      })),
    );
  });
  process.stderr.write(`store: ${predictions.length} prediction(s) recorded for run ${runId}\n`);
  return runId;
}
