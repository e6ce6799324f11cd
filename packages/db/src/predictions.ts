import type { Image, Prisma } from "./generated/sqlite/client.ts";
import type { Store } from "./store.ts";

export const PREDICTION_SORT_KEYS = ["confidence", "imageId"] as const;
export type PredictionSortKey = (typeof PREDICTION_SORT_KEYS)[number];

export interface PredictionQuery {
  /** true: only wrong predictions; false: only right ones (images without a label are neither). */
  misclassified?: boolean;
  trueLabel?: string;
  predictedLabel?: string;
  /** Bounds on the predicted label's probability, inclusive. */
  minConfidence?: number;
  maxConfidence?: number;
  /** Default confidence, desc. */
  sort?: PredictionSortKey;
  dir?: "asc" | "desc";
  /** 1-based; default 1. */
  page?: number;
  /** Default 60. */
  pageSize?: number;
}

export interface PredictionRow {
  predictionId: number;
  imageId: number;
  trueLabel: string | null;
  predictedLabel: string;
  confidence: number;
  correct: boolean | null;
  probabilities: Record<string, number>;
}

export interface PredictionPage {
  items: PredictionRow[];
  total: number;
  page: number;
  pageSize: number;
  /** The run's classes, in label order. */
  classNames: string[];
}

/**
 * A page of a run's predictions; filters and sort use the indexed columns, never the JSON.
 * Null when the run does not exist.
 */
export async function listPredictions(
  store: Store,
  runId: number,
  query: PredictionQuery = {},
): Promise<PredictionPage | null> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 60;
  const where: Prisma.PredictionWhereInput = {
    runId,
    correct: query.misclassified === undefined ? undefined : !query.misclassified,
    trueLabel: query.trueLabel,
    predictedLabel: query.predictedLabel,
    confidence:
      query.minConfidence !== undefined || query.maxConfidence !== undefined
        ? { gte: query.minConfidence, lte: query.maxConfidence }
        : undefined,
  };
  const dir = query.dir ?? "desc";
  const [run, rows, total] = await Promise.all([
    store.prisma.run.findUnique({
      where: { id: runId },
      select: { evaluations: { select: { split: true, classNames: true } } },
    }),
    store.prisma.prediction.findMany({
      where,
      select: {
        id: true,
        imageId: true,
        trueLabel: true,
        predictedLabel: true,
        confidence: true,
        correct: true,
        probabilities: true,
      },
      orderBy: [{ [query.sort ?? "confidence"]: dir }, { id: dir }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    store.prisma.prediction.count({ where }),
  ]);
  if (!run) return null;
  const items = rows.map(({ id, probabilities, ...rest }) => ({
    predictionId: id,
    ...rest,
    probabilities: probabilities as Record<string, number>,
  }));
  return { items, total, page, pageSize, classNames: await runClassNames(store, runId, run.evaluations) };
}

/** The run's classes in label order; null when there is no such run. */
export async function classNamesOfRun(store: Store, runId: number): Promise<string[] | null> {
  const run = await store.prisma.run.findUnique({
    where: { id: runId },
    select: { evaluations: { select: { split: true, classNames: true } } },
  });
  return run && runClassNames(store, runId, run.evaluations);
}

/** The classes of an evaluation of the run (test first), else the keys of any of its predictions. */
async function runClassNames(
  store: Store,
  runId: number,
  evaluations: { split: string; classNames: unknown }[],
): Promise<string[]> {
  const evaluation = evaluations.find((e) => e.split === "test") ?? evaluations[0];
  if (evaluation) return evaluation.classNames as string[];
  const any = await store.prisma.prediction.findFirst({ where: { runId }, select: { probabilities: true } });
  return any ? Object.keys(any.probabilities as Record<string, number>) : [];
}

/** One run's prediction for a stored image, as an image's detail lists them. */
export interface RunPrediction {
  runId: number;
  runName: string;
  /** The run's project. */
  projectId: number | null;
  predictedLabel: string;
  confidence: number;
  probabilities: Record<string, number>;
  createdAt: Date;
}

export interface ImageDetail extends Omit<Image, "createdAt"> {
  /** Every run's prediction for this image, newest run first. */
  predictions: RunPrediction[];
}

export type StoredImage = Image;

/** The image row (for serving its file); null if absent. */
export async function findImage(store: Store, imageId: number): Promise<StoredImage | null> {
  return store.prisma.image.findUnique({ where: { id: imageId } });
}

/** The other files runs recorded reading for an image (same content hash), newest first. */
export async function imageFileCopies(store: Store, imageId: number): Promise<string[]> {
  const rows = await store.prisma.prediction.findMany({
    where: { imageId, location: { not: null } },
    select: { location: true },
    orderBy: { id: "desc" },
    distinct: ["location"],
  });
  return rows.flatMap((r) => (r.location === null ? [] : [r.location]));
}

/** Every run's prediction of an image, newest run first: the query part shared by image reads. */
export const imagePredictionsQuery = {
  select: {
    runId: true,
    run: { select: { name: true, projectId: true } },
    predictedLabel: true,
    confidence: true,
    probabilities: true,
    createdAt: true,
  },
  orderBy: { runId: "desc" },
} as const satisfies Prisma.Image$predictionsArgs;

type ImagePredictionRow = Prisma.PredictionGetPayload<typeof imagePredictionsQuery>;

export function toRunPrediction({ run, probabilities, ...p }: ImagePredictionRow): RunPrediction {
  return {
    ...p,
    runName: run.name,
    projectId: run.projectId,
    probabilities: probabilities as Record<string, number>,
  };
}

/** The image with every run's prediction for it; null if absent. */
export async function getImage(store: Store, imageId: number): Promise<ImageDetail | null> {
  const image = await store.prisma.image.findUnique({
    where: { id: imageId },
    include: { predictions: imagePredictionsQuery },
  });
  if (!image) return null;
  const { predictions, createdAt: _, ...rest } = image;
  return { ...rest, predictions: predictions.map(toRunPrediction) };
}
