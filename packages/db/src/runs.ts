import type { ExperimentConfig } from "@cxrlab/core/config";
import type { EvaluationMetrics, MetricIntervals } from "@cxrlab/core/metrics";
import { bestEpochIndex, type EpochRecord } from "@cxrlab/core/train/history";
import { FINISHED_STATUSES, RUN_STATUSES, type RunStatus } from "@cxrlab/validators/run-status";
import { type Evaluation, Prisma, type Run } from "./generated/sqlite/client.ts";
import { decodeNumbers, encodeNumbers } from "./json-numbers.ts";
import { findOrCreateProject } from "./memberships.ts";
import { retryWhenBusy } from "./retry.ts";
import { parseRunProgress, type RunProgress } from "./run-progress.ts";
import type { Store } from "./store.ts";

/** The project of runs and patients recorded without one. */
export const DEFAULT_PROJECT = "default";

export interface NewRun {
  config: ExperimentConfig;
  /** Project name (default "default"); created on first use. */
  project?: string;
  /** The account that queued or started it. */
  createdById?: string;
  backend?: string;
  datasetFingerprint?: string;
  /** The dataset version it trains on (`--dataset NAME@VERSION`). */
  datasetVersionId?: number;
  codeVersion?: string;
  tags?: string[];
}

/** A stored run with its JSON columns typed and the model size as a plain number. */
export interface RunRecord extends Omit<Run, "config" | "status" | "timings" | "modelBytes" | "progress"> {
  config: ExperimentConfig;
  status: RunStatus;
  timings: Record<string, number> | null;
  modelBytes: number | null;
  progress: RunProgress | null;
  tags: string[];
}

export interface StoredEpoch extends Omit<EpochRecord, "loss" | "accuracy" | "valLoss" | "valAccuracy"> {
  /** Null where training produced a non-finite value. */
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface StoredEvaluation {
  split: string;
  createdAt: Date;
  metrics: EvaluationMetrics;
  /** The metrics' 95% bootstrap intervals; null for evaluations recorded without them. */
  intervals: MetricIntervals | null;
}

export interface RunNoteRecord {
  id: number;
  body: string;
  createdAt: Date;
}

export interface RunDetail extends RunRecord {
  epochs: StoredEpoch[];
  epochsDone: number;
  epochsPlanned: number;
  /** The `epoch` number of the best epoch by the config's checkpointMonitor; null without validation. */
  bestEpoch: number | null;
  evaluations: StoredEvaluation[];
  notes: RunNoteRecord[];
  predictionCount: number;
  /** The dataset version it trained on, when it trained on one. */
  datasetVersion: { id: number; name: string; version: number; fingerprint: string } | null;
}

type RunWithTags = Run & { tags: { tag: string }[] };

function toRunRecord({ tags, ...run }: RunWithTags): RunRecord {
  return {
    ...run,
    config: run.config as unknown as ExperimentConfig,
    status: run.status as RunStatus,
    timings: run.timings as Record<string, number> | null,
    modelBytes: run.modelBytes === null ? null : Number(run.modelBytes),
    progress: parseRunProgress(run.progress),
    tags: tags.map((t) => t.tag).sort(),
  };
}

/** SQLite cannot store NaN (it becomes NULL); store every non-finite metric as null on both providers. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export async function createRun(store: Store, run: NewRun): Promise<RunRecord> {
  const { id: projectId } = await findOrCreateProject(store.prisma, run.project ?? DEFAULT_PROJECT);
  const created = await retryWhenBusy(() =>
    store.prisma.run.create({
      data: {
        name: run.config.name,
        preset: run.config.preset,
        seed: run.config.seed,
        config: run.config as unknown as Prisma.InputJsonValue,
        backend: run.backend ?? null,
        datasetFingerprint: run.datasetFingerprint ?? null,
        codeVersion: run.codeVersion ?? null,
        project: { connect: { id: projectId } },
        ...(run.createdById ? { createdBy: { connect: { id: run.createdById } } } : {}),
        ...(run.datasetVersionId ? { datasetVersion: { connect: { id: run.datasetVersionId } } } : {}),
        tags: { create: [...new Set(run.tags ?? [])].map((tag) => ({ tag })) },
      },
      include: { tags: true },
    }),
  );
  return toRunRecord(created);
}

export interface StatusUpdate {
  message?: string;
  backend?: string;
  /** Recorded when a queued run starts: its data was only listed then. */
  datasetFingerprint?: string;
  /** The code that runs it, recorded when a worker starts a queued run. */
  codeVersion?: string;
  timings?: Record<string, number>;
  model?: { location: string; bytes: number };
}

/** Sets the status; `running` stamps startedAt, a finished status stamps finishedAt. */
export async function updateRunStatus(
  store: Store,
  runId: number,
  status: RunStatus,
  update: StatusUpdate = {},
): Promise<RunRecord> {
  return toRunRecord(await retryWhenBusy(() => writeRunStatus(store.prisma, runId, status, update)));
}

/** updateRunStatus on `db`: the store's client, or a transaction that records more with it. */
export function writeRunStatus(
  db: Prisma.TransactionClient,
  runId: number,
  status: RunStatus,
  update: StatusUpdate = {},
) {
  if (!RUN_STATUSES.includes(status)) {
    throw new Error(`run status "${status}": expected one of ${RUN_STATUSES.join(", ")}`);
  }
  const now = new Date();
  return db.run.update({
    where: { id: runId },
    data: {
      status,
      statusMessage: update.message ?? null,
      startedAt: status === "running" ? now : undefined,
      finishedAt: FINISHED_STATUSES.includes(status) ? now : undefined,
      backend: update.backend,
      datasetFingerprint: update.datasetFingerprint,
      codeVersion: update.codeVersion,
      timings: update.timings,
      modelLocation: update.model?.location,
      modelBytes: update.model ? BigInt(update.model.bytes) : undefined,
      // A finished run has no live progress any more.
      progress: FINISHED_STATUSES.includes(status) ? Prisma.DbNull : undefined,
    },
    include: { tags: true },
  });
}

/** Records (or replaces, when training resumes) one epoch of a run. */
export async function recordEpoch(store: Store, runId: number, epoch: EpochRecord): Promise<void> {
  const values = {
    loss: finiteOrNull(epoch.loss),
    accuracy: finiteOrNull(epoch.accuracy),
    valLoss: finiteOrNull(epoch.valLoss),
    valAccuracy: finiteOrNull(epoch.valAccuracy),
    seconds: epoch.seconds,
    imagesPerSecond: finiteOrNull(epoch.imagesPerSecond),
  };
  await retryWhenBusy(() =>
    store.prisma.$transaction(async (tx) => {
      await tx.epoch.upsert({
        where: { runId_epoch: { runId, epoch: epoch.epoch } },
        create: { runId, epoch: epoch.epoch, ...values },
        update: values,
      });
      // A resumed run may replace an epoch, so the minimum is recomputed rather than compared.
      const { _min } = await tx.epoch.aggregate({ where: { runId }, _min: { valLoss: true } });
      await tx.run.update({ where: { id: runId }, data: { bestValLoss: _min.valLoss } });
    }),
  );
}

/**
 * Records the evaluation of a run on `split` (with the metrics' bootstrap intervals when given),
 * replacing an earlier one of the same split.
 */
export async function recordEvaluation(
  store: Store,
  runId: number,
  split: string,
  metrics: EvaluationMetrics,
  intervals: MetricIntervals | null = null,
): Promise<void> {
  await retryWhenBusy(() =>
    store.prisma.$transaction(evaluationWrites(store.prisma, runId, split, metrics, intervals)),
  );
}

/**
 * The statements of recordEvaluation on `db`: the store's client, or a transaction that records
 * more with them (the test split also sets the run's accuracy).
 */
export function evaluationWrites(
  db: Prisma.TransactionClient,
  runId: number,
  split: string,
  metrics: EvaluationMetrics,
  intervals: MetricIntervals | null = null,
) {
  const values = {
    count: metrics.count,
    loss: finiteOrNull(metrics.loss),
    accuracy: finiteOrNull(metrics.accuracy),
    macroAuc: metrics.macroAuc === null ? null : finiteOrNull(metrics.macroAuc),
    ece: finiteOrNull(metrics.ece),
    classNames: metrics.classNames,
    confusionMatrix: encodeNumbers(metrics.confusionMatrix),
    report: encodeNumbers(metrics.report),
    roc: encodeNumbers(metrics.roc),
    reliability: encodeNumbers(metrics.reliability),
    sensitivity: encodeNumbers(metrics.sensitivity),
    specificity: encodeNumbers(metrics.specificity),
    intervals: intervals === null ? Prisma.DbNull : encodeNumbers(intervals),
  };
  return [
    db.evaluation.upsert({
      where: { runId_split: { runId, split } },
      create: { runId, split, ...values },
      update: values,
    }),
    ...(split === "test"
      ? [db.run.update({ where: { id: runId }, data: { testAccuracy: values.accuracy } })]
      : []),
  ];
}

function toStoredEvaluation(e: Evaluation): StoredEvaluation {
  const metrics: EvaluationMetrics = {
    classNames: e.classNames as string[],
    count: e.count,
    loss: e.loss ?? Number.NaN,
    accuracy: e.accuracy ?? Number.NaN,
    confusionMatrix: decodeNumbers(e.confusionMatrix),
    report: decodeNumbers(e.report),
    roc: decodeNumbers(e.roc),
    macroAuc: e.macroAuc,
    sensitivity: decodeNumbers(e.sensitivity),
    specificity: decodeNumbers(e.specificity),
    ece: e.ece ?? Number.NaN,
    reliability: decodeNumbers(e.reliability),
  };
  return {
    split: e.split,
    createdAt: e.createdAt,
    metrics,
    intervals: e.intervals === null ? null : decodeNumbers<MetricIntervals>(e.intervals),
  };
}

const DETAIL = {
  tags: true,
  epochs: { orderBy: { epoch: "asc" } },
  evaluations: { orderBy: { split: "asc" } },
  notes: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  _count: { select: { predictions: true } },
  datasetVersion: { select: { id: true, name: true, version: true, fingerprint: true } },
} satisfies Prisma.RunInclude;

function toRunDetail(run: Prisma.RunGetPayload<{ include: typeof DETAIL }>): RunDetail {
  const { epochs, evaluations, notes, _count, datasetVersion, ...rest } = run;
  const record = toRunRecord(rest);
  const stored = epochs.map(({ epoch, loss, accuracy, valLoss, valAccuracy, seconds, imagesPerSecond }) => ({
    epoch,
    loss,
    accuracy,
    valLoss,
    valAccuracy,
    seconds,
    imagesPerSecond: imagesPerSecond ?? Number.NaN,
  }));
  const best = bestEpochIndex(
    stored.map((e) => ({ valLoss: e.valLoss ?? Number.NaN, valAccuracy: e.valAccuracy ?? Number.NaN })),
    record.config.training.checkpointMonitor,
  );
  return {
    ...record,
    epochs: stored,
    epochsDone: stored.length,
    epochsPlanned: record.config.training.epochs,
    bestEpoch: stored[best]?.epoch ?? null,
    evaluations: evaluations.map(toStoredEvaluation),
    notes: notes.map(({ id, body, createdAt }) => ({ id, body, createdAt })),
    predictionCount: _count.predictions,
    datasetVersion,
  };
}

/** The run with its epochs (in order), evaluations, notes and number of stored predictions; null if absent. */
export async function getRun(store: Store, runId: number): Promise<RunDetail | null> {
  const run = await store.prisma.run.findUnique({ where: { id: runId }, include: DETAIL });
  return run ? toRunDetail(run) : null;
}

/** Several runs in full, in the order of `runIds` (absent ids are left out), in one query. */
export async function getRuns(store: Store, runIds: readonly number[]): Promise<RunDetail[]> {
  const runs = await store.prisma.run.findMany({ where: { id: { in: [...runIds] } }, include: DETAIL });
  const byId = new Map(runs.map((r) => [r.id, r]));
  return runIds.flatMap((id) => {
    const run = byId.get(id);
    return run ? [toRunDetail(run)] : [];
  });
}

/** Deletes a run and (by cascade) its epochs, evaluations, predictions, tags and notes. False if absent. */
export async function deleteRun(store: Store, runId: number): Promise<boolean> {
  const { count } = await retryWhenBusy(() => store.prisma.run.deleteMany({ where: { id: runId } }));
  return count > 0;
}

/** The run's name and saved model location (null until training saved one); null if the run is absent. */
export async function runModel(
  store: Store,
  runId: number,
): Promise<{ name: string; modelLocation: string | null; projectId: number | null } | null> {
  return store.prisma.run.findUnique({
    where: { id: runId },
    select: { name: true, modelLocation: true, projectId: true },
  });
}

/**
 * The project's most recently finished succeeded run that saved a model; null if it has none.
 * Scoped to one project: another project's model is never a fallback for this one's data.
 */
export async function latestRunWithModel(
  store: Store,
  projectId: number,
): Promise<{ id: number; name: string; modelLocation: string } | null> {
  const run = await store.prisma.run.findFirst({
    where: { projectId, status: "succeeded", modelLocation: { not: null } },
    orderBy: [{ finishedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
    select: { id: true, name: true, modelLocation: true },
  });
  return run && { ...run, modelLocation: run.modelLocation! };
}

async function runTags(store: Store, runId: number): Promise<string[]> {
  const rows = await store.prisma.runTag.findMany({ where: { runId }, orderBy: { tag: "asc" } });
  return rows.map((r) => r.tag);
}

/** Adds tags to a run (repeats are ignored); returns all its tags, sorted. */
export async function tagRun(store: Store, runId: number, tags: string[]): Promise<string[]> {
  await retryWhenBusy(() =>
    store.prisma.$transaction(
      [...new Set(tags)].map((tag) =>
        store.prisma.runTag.upsert({
          where: { runId_tag: { runId, tag } },
          create: { runId, tag },
          update: {},
        }),
      ),
    ),
  );
  return runTags(store, runId);
}

/** Removes a tag from a run (absent tags are ignored); returns its remaining tags, sorted. */
export async function untagRun(store: Store, runId: number, tag: string): Promise<string[]> {
  await retryWhenBusy(() => store.prisma.runTag.deleteMany({ where: { runId, tag } }));
  return runTags(store, runId);
}

export async function addRunNote(store: Store, runId: number, body: string): Promise<RunNoteRecord> {
  const { id, createdAt } = await retryWhenBusy(() => store.prisma.runNote.create({ data: { runId, body } }));
  return { id, body, createdAt };
}
