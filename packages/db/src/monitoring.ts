import {
  type Agreement,
  type AgreementCase,
  agreementWithReaders,
  compareInputs,
  type DriftReport,
  formatTimeWindow,
  groupByWindow,
  type InputStats,
  inputStatsOf,
  modelTrainingInputStats,
  type ReaderLabel,
  readersConsensus,
  type TimeWindow,
} from "@cxrlab/core/monitoring";
import { UNCERTAIN } from "@cxrlab/validators/reviews";
import { projectDefaultModel } from "./model-promotions.ts";
import { classNamesOfRun } from "./predictions.ts";
import type { Store } from "./store.ts";

/** How an image's reference label is drawn from its readers; shown beside the figures. */
export const COUNTING_RULE =
  "Each reviewed image counts once, with the label most of its readers gave; 'uncertain' answers are left out of the vote and counted; an image whose readers' labels tie has no label and is left out, and is listed as a disagreement.";

/** An image whose readers gave different labels. */
export interface ReaderDisagreement {
  imageId: number;
  /** When it arrived in the archive. */
  arrivedAt: Date;
  predicted: string;
  readers: { reader: string; label: string }[];
  /** The majority label, or null for a tie. */
  resolved: string | null;
}

export interface MonitoringWindow {
  start: Date;
  end: Date;
  /** Archive images that arrived in the window and the run predicted. */
  images: number;
  /** Of them, images with a reference label (counted in the agreement). */
  reviewed: number;
  /** Images that only "uncertain" answers describe, and images whose readers tie. */
  uncertainImages: number;
  ties: number;
  /** Images whose readers' label is not one of this run's classes (read against another model's classes). */
  otherClasses: number;
  agreement: Agreement | null;
  drift: DriftReport | null;
}

export interface RunMonitoring {
  run: { id: number; name: string; projectId: number | null; classNames: string[] };
  window: string;
  countingRule: string;
  /** Every window together. */
  overall: Omit<MonitoringWindow, "start" | "end">;
  windows: MonitoringWindow[];
  /** "uncertain" answers (reviews) left out of the votes. */
  uncertainReviews: number;
  disagreements: ReaderDisagreement[];
  /** Images of the training folder read for the drift reference; null with why when none. */
  reference: { images: number; reason: null } | { images: 0; reason: string };
}

export interface MonitoringOptions {
  window: TimeWindow;
  /** Bootstrap resamples and seed (defaults: 2000 and 0). */
  resamples?: number;
  seed?: number;
}

interface Arrival {
  imageId: number;
  arrivedAt: Date;
  predicted: string;
  patient: number;
  readers: ReaderLabel[];
  file: string;
  sourceFormat: string | null;
  sourceFile: string | null;
}

function summarize(
  arrivals: readonly Arrival[],
  classNames: readonly string[],
  reference: readonly InputStats[] | null,
  stats: ReadonlyMap<number, InputStats>,
  options: MonitoringOptions,
): Omit<MonitoringWindow, "start" | "end"> {
  const cases: AgreementCase[] = [];
  let uncertainImages = 0;
  let ties = 0;
  let otherClasses = 0;
  for (const a of arrivals) {
    if (a.readers.length === 0) continue;
    const consensus = readersConsensus(a.readers);
    if (consensus.status === "uncertain") uncertainImages++;
    else if (consensus.status === "tie") ties++;
    else if (!classNames.includes(consensus.label)) otherClasses++;
    else cases.push({ predicted: a.predicted, reference: consensus.label, group: `patient:${a.patient}` });
  }
  return {
    images: arrivals.length,
    reviewed: cases.length,
    uncertainImages,
    ties,
    otherClasses,
    agreement: agreementWithReaders(cases, classNames, { resamples: options.resamples, seed: options.seed }),
    drift:
      reference &&
      compareInputs(
        reference,
        arrivals.map((a) => stats.get(a.imageId)!),
      ),
  };
}

/**
 * How run `runId`'s model does on the images that arrived in its project's patient archive since:
 * agreement with the readers' reviews (accuracy, per-class recall and confusion, with patient-grouped
 * bootstrap 95% intervals) and drift of the inputs from its training images, in time windows of
 * arrival. Null when there is no such run.
 */
export async function runMonitoring(
  store: Store,
  runId: number,
  options: MonitoringOptions,
): Promise<RunMonitoring | null> {
  const run = await store.prisma.run.findUnique({
    where: { id: runId },
    select: { id: true, name: true, projectId: true, modelLocation: true },
  });
  if (!run) return null;
  const classNames = (await classNamesOfRun(store, run.id)) ?? [];
  const rows =
    run.projectId === null
      ? []
      : await store.prisma.prediction.findMany({
          where: { runId: run.id, image: { study: { patient: { projectId: run.projectId } } } },
          select: {
            predictedLabel: true,
            image: {
              select: {
                id: true,
                createdAt: true,
                location: true,
                sourceFormat: true,
                sourceLocation: true,
                study: { select: { patientRef: true } },
                reviews: {
                  select: { label: true, reviewerId: true, reviewer: { select: { email: true } } },
                  orderBy: { createdAt: "asc" },
                },
              },
            },
          },
          orderBy: { imageId: "asc" },
        });
  const arrivals: Arrival[] = rows.map(({ predictedLabel, image }) => ({
    imageId: image.id,
    arrivedAt: image.createdAt,
    predicted: predictedLabel,
    patient: image.study!.patientRef,
    readers: image.reviews.map((r) => ({
      reader: r.reviewer?.email ?? `deleted account ${r.reviewerId ?? ""}`.trim(),
      label: r.label,
    })),
    file: image.location,
    sourceFormat: image.sourceFormat,
    sourceFile: image.sourceLocation,
  }));
  const training =
    arrivals.length === 0
      ? { stats: null, reason: "no archive image to compare" }
      : run.modelLocation
        ? await modelTrainingInputStats(run.modelLocation)
        : { stats: null, reason: "the run saved no model" };
  const stats = new Map<number, InputStats>();
  if (training.stats) {
    const computed = await inputStatsOf(
      arrivals.map((a) => ({ file: a.file, sourceFormat: a.sourceFormat, sourceFile: a.sourceFile })),
    );
    for (const [i, a] of arrivals.entries()) stats.set(a.imageId, computed[i]!);
  }
  const summary = (of: readonly Arrival[]) => summarize(of, classNames, training.stats, stats, options);
  const disagreements = arrivals.flatMap((a): ReaderDisagreement[] => {
    if (new Set(a.readers.map((r) => r.label)).size < 2) return [];
    const consensus = readersConsensus(a.readers);
    return [
      {
        imageId: a.imageId,
        arrivedAt: a.arrivedAt,
        predicted: a.predicted,
        readers: a.readers,
        resolved: consensus.status === "agreed" ? consensus.label : null,
      },
    ];
  });
  return {
    run: { id: run.id, name: run.name, projectId: run.projectId, classNames },
    window: formatTimeWindow(options.window),
    countingRule: COUNTING_RULE,
    overall: summary(arrivals),
    windows: groupByWindow(arrivals, (a) => a.arrivedAt, options.window).map(({ start, end, items }) => ({
      start,
      end,
      ...summary(items),
    })),
    uncertainReviews: arrivals.reduce((n, a) => n + a.readers.filter((r) => r.label === UNCERTAIN).length, 0),
    disagreements,
    reference: training.stats
      ? { images: training.stats.length, reason: null }
      : { images: 0, reason: training.reason },
  };
}

export interface ProjectMonitoring {
  project: { id: number; name: string };
  /** The project's default model (its newest promotion); null when none was promoted. */
  defaultModel: { runId: number; runName: string; promotedAt: Date } | null;
  /** The project's runs that predicted its archive images, newest first, to pick from. */
  runs: { id: number; name: string }[];
  /** The run shown: the one asked for, else the default model; null when neither exists. */
  monitoring: RunMonitoring | null;
}

/**
 * Monitoring of a project (`project`: its id or name): its default model's, or run `runId`'s
 * when given (a run of another project counts as none). Null when there is no such project.
 */
export async function projectMonitoring(
  store: Store,
  project: number | string,
  options: MonitoringOptions & { runId?: number },
): Promise<ProjectMonitoring | null> {
  const found = await store.prisma.project.findUnique({
    where: typeof project === "number" ? { id: project } : { name: project },
    select: { id: true, name: true },
  });
  if (!found) return null;
  const [promotion, runs] = await Promise.all([
    projectDefaultModel(store, found.id),
    store.prisma.run.findMany({
      where: {
        projectId: found.id,
        predictions: { some: { image: { study: { patient: { projectId: found.id } } } } },
      },
      select: { id: true, name: true },
      orderBy: { id: "desc" },
    }),
  ]);
  const chosen = options.runId ?? promotion?.runId;
  const belongs =
    chosen !== undefined &&
    (await store.prisma.run.count({ where: { id: chosen, projectId: found.id } })) > 0;
  return {
    project: found,
    defaultModel: promotion && {
      runId: promotion.runId,
      runName: promotion.runName,
      promotedAt: promotion.createdAt,
    },
    runs,
    monitoring: belongs ? await runMonitoring(store, chosen, options) : null,
  };
}
