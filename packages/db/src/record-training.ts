import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { imageFileInfo } from "@cxrlab/core/data";
import type { TrainOutcome } from "@cxrlab/core/train";
import type { Image, Prisma } from "./generated/sqlite/client.ts";
import { type ImageInput, type PredictionInput, writeImage, writePredictions } from "./images.ts";
import { retryWhenBusy } from "./retry.ts";
import { evaluationWrites, updateRunStatus, writeRunStatus } from "./runs.ts";
import { BATCH_TRANSACTION, type Store } from "./store.ts";

export interface ImagePredictionToRecord {
  path: string;
  /** True class name, when known. */
  label: string | null;
  probabilities: Record<string, number>;
  predictedClass: string;
}

/** An image file's row, read from disk, and the prediction to record for it. */
interface ReadPrediction {
  image: ImageInput;
  prediction: Omit<PredictionInput, "imageId">;
}

const CHUNK = 200;

/** Hashes and measures each image: all recording needs from the disk, read before any write. */
async function readImages(items: readonly ImagePredictionToRecord[]): Promise<ReadPrediction[]> {
  const read: ReadPrediction[] = [];
  for (const item of items) {
    const info = await imageFileInfo(item.path);
    read.push({
      image: {
        sha256: info.sha256,
        location: path.resolve(item.path),
        format: info.format,
        width: info.width,
        height: info.height,
        bytes: info.bytes,
        label: item.label,
      },
      prediction: {
        probabilities: item.probabilities,
        predictedLabel: item.predictedClass,
        location: path.resolve(item.path),
        label: item.label,
      },
    });
  }
  return read;
}

/**
 * Each image once (by content hash) and the run's prediction for it, with the file and label the
 * run was given, in the transaction `tx`.
 */
async function writeImagePredictions(
  tx: Prisma.TransactionClient,
  runId: number,
  read: readonly ReadPrediction[],
): Promise<void> {
  // The run's project owns what it writes; rows of the archive or of another project stay as they are.
  const run = await tx.run.findUnique({ where: { id: runId }, select: { projectId: true } });
  if (!run) throw new Error(`run ${runId} is not in the store`);
  const images: Image[] = [];
  for (const { image } of read) images.push(await writeImage(tx, image, { projectId: run.projectId }));
  const rows: PredictionInput[] = read.map(({ prediction }, i) => ({
    ...prediction,
    imageId: images[i]!.id,
  }));
  await writePredictions(tx, runId, rows, images);
}

/**
 * Stores each image once (by content hash) and the run's prediction for it, in transactions of
 * CHUNK images (a chunk is recorded whole or not at all).
 */
export async function recordImagePredictions(
  store: Store,
  runId: number,
  items: readonly ImagePredictionToRecord[],
): Promise<number> {
  for (let start = 0; start < items.length; start += CHUNK) {
    const read = await readImages(items.slice(start, start + CHUNK));
    await retryWhenBusy(() =>
      store.prisma.$transaction((tx) => writeImagePredictions(tx, runId, read), BATCH_TRANSACTION),
    );
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
 * as they finish, by the caller. All or nothing, in one transaction: when any of it fails (e.g. a
 * NaN probability after a diverged run) nothing is recorded, the run is marked failed with the
 * reason, and the error, with that reason, is thrown.
 */
export async function recordTrainOutcome(store: Store, runId: number, outcome: TrainOutcome): Promise<void> {
  const { classNames, evaluation } = outcome;
  try {
    const predictions = evaluation
      ? await readImages(
          outcome.testPredictions.map((p) => ({
            path: p.path,
            label: classNames[p.label] ?? null,
            probabilities: Object.fromEntries(classNames.map((c, i) => [c, p.probabilities[i]!])),
            predictedClass: classNames[p.predicted]!,
          })),
        )
      : [];
    const model = outcome.modelDir
      ? { location: path.resolve(outcome.modelDir), bytes: await folderBytes(outcome.modelDir) }
      : undefined;
    await retryWhenBusy(() =>
      store.prisma.$transaction(async (tx) => {
        if (evaluation) {
          for (const write of evaluationWrites(tx, runId, "test", evaluation, outcome.intervals)) await write;
          await writeImagePredictions(tx, runId, predictions);
        }
        await writeRunStatus(tx, runId, outcome.status, {
          backend: outcome.backend.name,
          timings: outcome.timings,
          ...(model ? { model } : {}),
        });
      }, BATCH_TRANSACTION),
    );
  } catch (error) {
    // Never left "running" with part of its outcome: the dashboard shows why instead.
    const message = `could not record the finished run: ${(error as Error).message}`;
    await updateRunStatus(store, runId, "failed", { message });
    throw new Error(message, { cause: error });
  }
}
