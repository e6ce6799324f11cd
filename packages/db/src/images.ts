import { urgencyOf } from "@cxrlab/validators/reviews";
import type { Image, Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";

export interface ImageInput {
  sha256: string;
  location: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  /** True class name, when known. */
  label?: string | null;
}

/**
 * Who writes an image row: the project of the run that read the file (null: none, as for a
 * stand-alone upsertImage).
 */
export interface ImageWriter {
  projectId: number | null;
}

/**
 * The image row for this content hash: created once; a later call re-points its location and
 * relabels it only when the row is the writer's own (see mayRewrite), never the archive's or
 * another project's.
 */
export async function upsertImage(store: Store, image: ImageInput, writer?: ImageWriter): Promise<Image> {
  return retryWhenBusy(() => writeImage(store.prisma, image, writer));
}

/** The runs of projects other than `projectId` (a run without a project counts as another's). */
function otherProjects(projectId: number | null): Prisma.RunWhereInput {
  return projectId === null
    ? { projectId: { not: null } }
    : { OR: [{ projectId: null }, { projectId: { not: projectId } }] };
}

/**
 * Whether `writer` may change the row's location and label: one content hash is one row, shared by
 * every project that has the same bytes and by the patient archive. An archived row (it has a
 * study) keeps what the archive recorded, and a row another project's runs predicted keeps what
 * that project recorded; each run keeps its own file and label on its predictions instead.
 */
async function mayRewrite(db: Prisma.TransactionClient, row: Image, writer: ImageWriter): Promise<boolean> {
  if (row.studyId !== null) return false;
  const others = await db.prediction.count({
    where: { imageId: row.id, run: otherProjects(writer.projectId) },
  });
  return others === 0;
}

/** upsertImage on `db`: the store's client, or a transaction that records more with it. */
export async function writeImage(
  db: Prisma.TransactionClient,
  image: ImageInput,
  writer: ImageWriter = { projectId: null },
): Promise<Image> {
  if (!/^[0-9a-f]{64}$/.test(image.sha256)) {
    throw new Error(
      `image ${image.location}: sha256 must be 64 lower-case hex digits, got "${image.sha256}"`,
    );
  }
  // Named fields only, so callers may pass a richer object (e.g. core's ImageFileInfo).
  const { sha256, location, format, width, height, bytes, label } = image;
  const row = await db.image.upsert({
    where: { sha256 },
    create: { sha256, location, format, width, height, bytes, label: label ?? null },
    // A no-op write rather than an empty update, so Prisma runs one native INSERT … ON CONFLICT
    // DO UPDATE: two runs recording the same new image at once (PostgreSQL) then cannot both try
    // to insert it.
    update: { sha256 },
  });
  const relabel = label != null && label !== row.label;
  if ((row.location === location && !relabel) || !(await mayRewrite(db, row, writer))) return row;
  return db.image.update({
    where: { id: row.id },
    data: { location, ...(relabel ? { label } : {}) },
  });
}

export interface PredictionInput {
  imageId: number;
  /** The file the run read (default: the image's location). */
  location?: string;
  /** The true class the run was given for it (default: the image's label). */
  label?: string | null;
  /** Class name -> probability. */
  probabilities: Record<string, number>;
  predictedLabel: string;
}

/**
 * Stores a batch of a run's predictions in one transaction; a repeated image replaces its prediction.
 * Each row also keeps the predicted label's probability and the true label (the run's own, else
 * the image's; and whether they agree) and its urgency (validators/reviews) as plain columns, so
 * the prediction browser and the worklist filter and sort on indexes, and the file the run read.
 */
export async function recordPredictions(
  store: Store,
  runId: number,
  predictions: PredictionInput[],
): Promise<void> {
  const images = await store.prisma.image.findMany({
    where: { id: { in: [...new Set(predictions.map((p) => p.imageId))] } },
    select: { id: true, label: true, location: true },
  });
  const rows = predictionRows(runId, predictions, images);
  // Writes only: a transaction that read first could lose a race with another writer (SQLite).
  await retryWhenBusy(() => store.prisma.$transaction(replacePredictions(store.prisma, runId, rows)));
}

/** recordPredictions inside the transaction `tx`, of `images` it has just written. */
export async function writePredictions(
  tx: Prisma.TransactionClient,
  runId: number,
  predictions: readonly PredictionInput[],
  images: readonly PredictedImage[],
): Promise<void> {
  for (const statement of replacePredictions(tx, runId, predictionRows(runId, predictions, images)))
    await statement;
}

type PredictedImage = Pick<Image, "id" | "label" | "location">;

/** The rows to store; throws for an unknown image or a predicted label without a finite probability. */
function predictionRows(
  runId: number,
  predictions: readonly PredictionInput[],
  images: readonly PredictedImage[],
) {
  const byId = new Map(images.map((i) => [i.id, i]));
  return predictions.map(({ imageId, probabilities, predictedLabel, location, label }) => {
    const image = byId.get(imageId);
    if (!image) throw new Error(`prediction of run ${runId}: no image ${imageId} in the store`);
    const confidence = probabilities[predictedLabel];
    if (confidence === undefined || !Number.isFinite(confidence)) {
      throw new Error(
        `prediction of run ${runId} for ${image.location}: predicted label "${predictedLabel}" has no finite probability among ${Object.keys(probabilities).join(", ")}`,
      );
    }
    // The run's own label and file: the image row may be another project's or the archive's.
    const trueLabel = label ?? image.label;
    return {
      imageId,
      values: {
        probabilities: probabilities as Prisma.InputJsonValue,
        predictedLabel,
        confidence,
        urgency: urgencyOf(probabilities),
        trueLabel,
        correct: trueLabel === null ? null : trueLabel === predictedLabel,
        location: location ?? image.location,
      },
    };
  });
}

/**
 * Replacing = deleting the batch's earlier rows and inserting all in one statement: one round trip
 * per batch instead of one upsert per row (10x faster at 10,000 predictions). Slices keep each
 * statement under SQLite's bound-parameter limit.
 */
function replacePredictions(
  db: Prisma.TransactionClient,
  runId: number,
  rows: ReturnType<typeof predictionRows>,
) {
  const slices = Array.from({ length: Math.ceil(rows.length / SLICE) }, (_, i) =>
    rows.slice(i * SLICE, (i + 1) * SLICE),
  );
  return slices.flatMap((slice) => [
    db.prediction.deleteMany({ where: { runId, imageId: { in: slice.map((r) => r.imageId) } } }),
    db.prediction.createMany({ data: slice.map(({ imageId, values }) => ({ runId, imageId, ...values })) }),
  ]);
}

const SLICE = 500;

/** Of these images, those run `runId` has not predicted yet, with the file to read, in id order. */
export async function imagesWithoutPrediction(
  store: Store,
  runId: number,
  imageIds: readonly number[],
): Promise<Pick<Image, "id" | "location">[]> {
  return store.prisma.image.findMany({
    where: { id: { in: [...new Set(imageIds)] }, predictions: { none: { runId } } },
    select: { id: true, location: true },
    orderBy: { id: "asc" },
  });
}

/** Which of these SOP Instance UIDs the archive holds already. */
export async function archivedSopInstanceUids(store: Store, uids: readonly string[]): Promise<Set<string>> {
  const rows = await store.prisma.image.findMany({
    where: { sopInstanceUid: { in: [...uids] } },
    select: { sopInstanceUid: true },
  });
  return new Set(rows.flatMap((r) => r.sopInstanceUid ?? []));
}
