import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { imageFileInfo } from "@cxrlab/core/data";
import type { TrainOutcome } from "@cxrlab/core/train/trainer";
import { type PredictionInput, recordPredictions, upsertImage } from "./images.ts";
import { recordEvaluation, updateRunStatus } from "./runs.ts";
import type { Store } from "./store.ts";

export interface ImagePredictionToRecord {
  path: string;
  /** True class name, when known. */
  label: string | null;
  probabilities: Record<string, number>;
  predictedClass: string;
}

const CHUNK = 200;

/**
 * Stores each image once (by content hash) and the run's prediction for it. Images are hashed a
 * few at a time; predictions go in in transactions of CHUNK rows.
 */
export async function recordImagePredictions(
  store: Store,
  runId: number,
  items: readonly ImagePredictionToRecord[],
): Promise<number> {
  for (let start = 0; start < items.length; start += CHUNK) {
    const chunk = items.slice(start, start + CHUNK);
    const rows: PredictionInput[] = [];
    for (const item of chunk) {
      const info = await imageFileInfo(item.path);
      const image = await upsertImage(store, {
        sha256: info.sha256,
        location: path.resolve(item.path),
        format: info.format,
        width: info.width,
        height: info.height,
        bytes: info.bytes,
        label: item.label,
      });
      rows.push({
        imageId: image.id,
        probabilities: item.probabilities,
        predictedLabel: item.predictedClass,
      });
    }
    await recordPredictions(store, runId, rows);
  }
  return items.length;
}

async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true });
  let total = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await folderBytes(p) : (await stat(p)).size;
  }
  return total;
}

/**
 * What a finished (or interrupted) training run adds to the store: its final status, backend,
 * timings and model, the test evaluation and one prediction per test image. Epochs are recorded
 * as they finish, by the caller.
 */
export async function recordTrainOutcome(store: Store, runId: number, outcome: TrainOutcome): Promise<void> {
  const { classNames } = outcome;
  if (outcome.evaluation) {
    await recordEvaluation(store, runId, "test", outcome.evaluation);
    await recordImagePredictions(
      store,
      runId,
      outcome.testPredictions.map((p) => ({
        path: p.path,
        label: classNames[p.label] ?? null,
        probabilities: Object.fromEntries(classNames.map((c, i) => [c, p.probabilities[i]!])),
        predictedClass: classNames[p.predicted]!,
      })),
    );
  }
  await updateRunStatus(store, runId, outcome.status, {
    backend: outcome.backend.name,
    timings: outcome.timings,
    ...(outcome.modelDir
      ? { model: { location: path.resolve(outcome.modelDir), bytes: await folderBytes(outcome.modelDir) } }
      : {}),
  });
}
