import { reviewLabels } from "@cxrlab/validators/reviews";
import { csvCell } from "./csv.ts";
import type { Prisma } from "./generated/sqlite/client.ts";
import { projectDefaultModel } from "./model-promotions.ts";
import { classNamesOfRun } from "./predictions.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";

/** A review refused for what it says (an unknown label, an image outside the patient archive). */
export class ReviewRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewRefused";
  }
}

export interface ReviewRecord {
  id: number;
  imageId: number;
  reviewerId: string | null;
  reviewerEmail: string | null;
  label: string;
  comment: string | null;
  predictionId: number | null;
  runId: number | null;
  predictedLabel: string;
  confidence: number;
  createdAt: Date;
  updatedAt: Date;
}

const REVIEW_SELECT = {
  id: true,
  imageId: true,
  reviewerId: true,
  reviewer: { select: { email: true } },
  label: true,
  comment: true,
  predictionId: true,
  runId: true,
  predictedLabel: true,
  confidence: true,
  createdAt: true,
  updatedAt: true,
} as const;

type ReviewRow = Prisma.ReviewGetPayload<{ select: typeof REVIEW_SELECT }>;

const toRecord = ({ reviewer, ...row }: ReviewRow): ReviewRecord => ({
  ...row,
  reviewerEmail: reviewer?.email ?? null,
});

/** Whether the readers of an image disagree: two or more different labels among its reviews. */
const disagree = (reviews: readonly { label: string }[]) => new Set(reviews.map((r) => r.label)).size > 1;

/** Where a prediction may be reviewed: its image's patient's project; undefined: no such prediction. */
export async function predictionReviewProject(
  store: Store,
  predictionId: number,
): Promise<number | null | undefined> {
  const row = await store.prisma.prediction.findUnique({
    where: { id: predictionId },
    select: { image: { select: { study: { select: { patient: { select: { projectId: true } } } } } } },
  });
  return row ? (row.image.study?.patient.projectId ?? null) : undefined;
}

export interface ReviewInput {
  predictionId: number;
  reviewerId: string;
  /** One of the prediction's run's classes, or "uncertain". */
  label: string;
  comment?: string | null;
}

export interface ReviewOutcome {
  review: ReviewRecord;
  /** The reviewer's earlier review of the image, when this one replaced it. */
  previous: ReviewRecord | null;
  /** The image's patient's project. */
  projectId: number | null;
}

/**
 * Records the reviewer's reading of a prediction's image: one review per reviewer per image, so a
 * second review by the same reviewer replaces the first (the caller audits both versions).
 */
export async function submitReview(store: Store, input: ReviewInput): Promise<ReviewOutcome> {
  const prediction = await store.prisma.prediction.findUnique({
    where: { id: input.predictionId },
    select: {
      imageId: true,
      runId: true,
      predictedLabel: true,
      confidence: true,
      image: { select: { study: { select: { patient: { select: { projectId: true } } } } } },
    },
  });
  if (!prediction) throw new ReviewRefused(`no prediction ${input.predictionId}`);
  const patient = prediction.image.study?.patient;
  if (!patient)
    throw new ReviewRefused(
      `image ${prediction.imageId} is not in the patient archive: only its images are reviewed`,
    );
  const labels = reviewLabels((await classNamesOfRun(store, prediction.runId)) ?? []);
  if (!labels.includes(input.label))
    throw new ReviewRefused(`label "${input.label}" is not one of ${labels.map((l) => `"${l}"`).join(", ")}`);
  const values = {
    label: input.label,
    comment: input.comment?.trim() || null,
    predictionId: input.predictionId,
    runId: prediction.runId,
    predictedLabel: prediction.predictedLabel,
    confidence: prediction.confidence,
  };
  const key = { imageId: prediction.imageId, reviewerId: input.reviewerId };
  return retryWhenBusy(() =>
    store.prisma.$transaction(async (tx) => {
      const previous = await tx.review.findUnique({
        where: { imageId_reviewerId: key },
        select: REVIEW_SELECT,
      });
      const review = await tx.review.upsert({
        where: { imageId_reviewerId: key },
        create: { ...key, ...values },
        update: values,
        select: REVIEW_SELECT,
      });
      return {
        review: toRecord(review),
        previous: previous && toRecord(previous),
        projectId: patient.projectId,
      };
    }),
  );
}

export const WORKLIST_STATUSES = ["unreviewed", "reviewed", "all"] as const;
export type WorklistStatus = (typeof WORKLIST_STATUSES)[number];

export interface WorklistQuery {
  projectId: number;
  /** Whose worklist: "unreviewed" means not reviewed by this account. */
  reviewerId: string;
  /** The model whose predictions are listed; default the project's default model, else its newest run with predictions on the archive. */
  runId?: number;
  /** Default "unreviewed". */
  status?: WorklistStatus;
  predictedLabel?: string;
  minConfidence?: number;
  /** Study date bounds: inclusive `from`, exclusive `before`. */
  from?: Date;
  before?: Date;
  /** 1-based; default 1. */
  page?: number;
  /** Default 50. */
  pageSize?: number;
}

export interface WorklistItem {
  predictionId: number;
  imageId: number;
  predictedLabel: string;
  confidence: number;
  urgency: number;
  probabilities: Record<string, number>;
  /** The image's size in pixels. */
  width: number;
  height: number;
  studyDate: Date | null;
  patient: { id: number; patientId: string; issuer: string; name: string | null };
  /** Every review of the image, mine included. */
  reviews: ReviewRecord[];
  mine: ReviewRecord | null;
  /** Its reviewers gave different labels. */
  disagreement: boolean;
}

export interface Worklist {
  /** The model listed; null when the project has no run with predictions on its archive. */
  run: { id: number; name: string; classNames: string[] } | null;
  items: WorklistItem[];
  total: number;
  page: number;
  pageSize: number;
}

/** The run a worklist shows by default: the project's default model, else its newest run that predicted an archive image. */
async function worklistRunId(store: Store, projectId: number): Promise<number | null> {
  const promoted = await projectDefaultModel(store, projectId);
  if (promoted) return promoted.runId;
  const newest = await store.prisma.run.findFirst({
    where: { projectId, predictions: { some: { image: { study: { patient: { projectId } } } } } },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  return newest?.id ?? null;
}

/**
 * A page of the project's archive images predicted by one run, most urgent first (urgency, then
 * confidence, then prediction id), with their patient, study date and reviews. Filters and order
 * use indexed columns (Prediction runId+urgency, Review reviewerId+imageId, Study patientRef+studyDate).
 * A run of another project counts as no run.
 */
export async function worklist(store: Store, query: WorklistQuery): Promise<Worklist> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  const runId = query.runId ?? (await worklistRunId(store, query.projectId));
  const run =
    runId === null
      ? null
      : await store.prisma.run.findFirst({
          where: { id: runId, projectId: query.projectId },
          select: { id: true, name: true },
        });
  if (!run) return { run: null, items: [], total: 0, page, pageSize };
  const mine = { some: { reviewerId: query.reviewerId } };
  const status = query.status ?? "unreviewed";
  const where: Prisma.PredictionWhereInput = {
    runId: run.id,
    predictedLabel: query.predictedLabel,
    confidence: query.minConfidence === undefined ? undefined : { gte: query.minConfidence },
    image: {
      study: {
        patient: { projectId: query.projectId },
        ...(query.from || query.before
          ? {
              studyDate: {
                ...(query.from && { gte: query.from }),
                ...(query.before && { lt: query.before }),
              },
            }
          : {}),
      },
      ...(status === "unreviewed" ? { reviews: { none: { reviewerId: query.reviewerId } } } : {}),
      ...(status === "reviewed" ? { reviews: mine } : {}),
    },
  };
  const [rows, total, classNames] = await Promise.all([
    store.prisma.prediction.findMany({
      where,
      select: {
        id: true,
        imageId: true,
        predictedLabel: true,
        confidence: true,
        urgency: true,
        probabilities: true,
        image: {
          select: {
            width: true,
            height: true,
            study: {
              select: {
                studyDate: true,
                patient: { select: { id: true, patientId: true, issuer: true, name: true } },
              },
            },
            reviews: { select: REVIEW_SELECT, orderBy: { updatedAt: "asc" } },
          },
        },
      },
      orderBy: [{ urgency: "desc" }, { confidence: "desc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    store.prisma.prediction.count({ where }),
    classNamesOfRun(store, run.id),
  ]);
  const items = rows.map(({ id, image, probabilities, ...p }): WorklistItem => {
    const reviews = image.reviews.map(toRecord);
    return {
      predictionId: id,
      ...p,
      probabilities: probabilities as Record<string, number>,
      width: image.width,
      height: image.height,
      // The where clause keeps archive images only.
      studyDate: image.study!.studyDate,
      patient: image.study!.patient,
      reviews,
      mine: reviews.find((r) => r.reviewerId === query.reviewerId) ?? null,
      disagreement: disagree(reviews),
    };
  });
  return { run: { ...run, classNames: classNames ?? [] }, items, total, page, pageSize };
}

/** A review with where its image sits in the archive, for listing and export. */
export interface ProjectReview extends ReviewRecord {
  sha256: string;
  patientId: string;
  issuer: string;
  studyInstanceUid: string;
  studyDate: Date | null;
  /** The reviewer's label is the model's predicted one. */
  agreesWithModel: boolean;
  /** The image's reviewers gave different labels. */
  disagreement: boolean;
}

/**
 * Every review of the project's archive images (`project`: its id or name), image by image, each
 * image's reviews oldest first, with the project's id. Null when there is no such project.
 */
export async function listProjectReviews(
  store: Store,
  project: number | string,
): Promise<{ projectId: number; reviews: ProjectReview[] } | null> {
  const found = await store.prisma.project.findUnique({
    where: typeof project === "number" ? { id: project } : { name: project },
    select: { id: true },
  });
  if (!found) return null;
  const rows = await store.prisma.review.findMany({
    where: { image: { study: { patient: { projectId: found.id } } } },
    select: {
      ...REVIEW_SELECT,
      image: {
        select: {
          sha256: true,
          study: {
            select: {
              studyInstanceUid: true,
              studyDate: true,
              patient: { select: { patientId: true, issuer: true } },
            },
          },
        },
      },
    },
    orderBy: [{ imageId: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  const labelsOf = new Map<number, { label: string }[]>();
  for (const row of rows) labelsOf.set(row.imageId, [...(labelsOf.get(row.imageId) ?? []), row]);
  const reviews = rows.map(({ image, ...row }) => {
    const study = image.study!;
    return {
      ...toRecord(row),
      sha256: image.sha256,
      patientId: study.patient.patientId,
      issuer: study.patient.issuer,
      studyInstanceUid: study.studyInstanceUid,
      studyDate: study.studyDate,
      agreesWithModel: row.label === row.predictedLabel,
      disagreement: disagree(labelsOf.get(row.imageId) ?? []),
    };
  });
  return { projectId: found.id, reviews };
}

const CSV_COLUMNS = [
  "imageId",
  "sha256",
  "patientId",
  "issuer",
  "studyInstanceUid",
  "studyDate",
  "reviewerEmail",
  "label",
  "comment",
  "runId",
  "predictedLabel",
  "confidence",
  "agreesWithModel",
  "disagreement",
  "createdAt",
  "updatedAt",
] as const satisfies readonly (keyof ProjectReview)[];

/** The reviews as CSV, a header line first. */
export function reviewsCsv(reviews: readonly ProjectReview[]): string {
  const lines = reviews.map((r) => CSV_COLUMNS.map((column) => csvCell(r[column])).join(","));
  return `${[CSV_COLUMNS.join(","), ...lines].join("\n")}\n`;
}
