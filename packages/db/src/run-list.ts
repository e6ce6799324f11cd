import type { ExperimentConfig } from "@cxrlab/core/config";
import type { RunStatus } from "@cxrlab/validators/run-status";
import type { Prisma } from "./generated/sqlite/client.ts";
import { defaultModelRunIds } from "./model-promotions.ts";
import { parseRunProgress, type RunProgress } from "./run-progress.ts";
import type { Store } from "./store.ts";

/** One row of the runs list: the run's own columns and the figures that summarise it. */
export interface RunSummary {
  id: number;
  projectId: number | null;
  name: string;
  preset: string;
  status: RunStatus;
  statusMessage: string | null;
  backend: string | null;
  seed: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  tags: string[];
  /** Accuracy of the run's "test" evaluation. */
  testAccuracy: number | null;
  /** Lowest validation loss over its epochs. */
  bestValLoss: number | null;
  epochsDone: number;
  epochsPlanned: number;
  progress: RunProgress | null;
  /** Whether the run's model is its project's default model for predictions now. */
  defaultModel: boolean;
}

export const RUN_SORT_KEYS = [
  "createdAt",
  "name",
  "status",
  "preset",
  "testAccuracy",
  "bestValLoss",
] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

export interface RunQuery {
  /** Part of the run name (case-insensitive). */
  q?: string;
  status?: readonly RunStatus[];
  preset?: readonly string[];
  project?: string;
  /** Only runs of these projects (the API passes those the viewer may read). */
  projectIds?: readonly number[];
  tag?: string;
  /** Only runs this user (id) starred. */
  starredBy?: string;
  createdFrom?: Date;
  /** Exclusive upper bound. */
  createdBefore?: Date;
  /** Bounds on the test accuracy (inclusive, 0..1); runs without one are left out when set. */
  minAccuracy?: number;
  maxAccuracy?: number;
  /** Default createdAt, desc. */
  sort?: RunSortKey;
  dir?: "asc" | "desc";
  /** 1-based; default 1. */
  page?: number;
  /** Default 50. */
  pageSize?: number;
}

export interface RunPage {
  items: RunSummary[];
  /** Runs matching the query over all pages. */
  total: number;
  page: number;
  pageSize: number;
}

const SUMMARY = {
  id: true,
  projectId: true,
  name: true,
  preset: true,
  status: true,
  statusMessage: true,
  backend: true,
  seed: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  testAccuracy: true,
  bestValLoss: true,
  progress: true,
  config: true,
  tags: { select: { tag: true } },
  _count: { select: { epochs: true } },
} satisfies Prisma.RunSelect;

function toSummary(
  row: Prisma.RunGetPayload<{ select: typeof SUMMARY }>,
  defaults: ReadonlySet<number>,
): RunSummary {
  const { tags, _count, config, progress, status, ...rest } = row;
  return {
    ...rest,
    status: status as RunStatus,
    tags: tags.map((t) => t.tag).sort(),
    epochsDone: _count.epochs,
    epochsPlanned: (config as unknown as ExperimentConfig).training.epochs,
    progress: parseRunProgress(progress),
    defaultModel: defaults.has(row.id),
  };
}

function runWhere(store: Store, query: RunQuery): Prisma.RunWhereInput {
  const accuracyBounded = query.minAccuracy !== undefined || query.maxAccuracy !== undefined;
  return {
    // SQLite's LIKE ignores case already; PostgreSQL needs to be told (the SQLite client type lacks `mode`).
    name: query.q
      ? ({
          contains: query.q,
          ...(store.target.provider === "postgresql" ? { mode: "insensitive" } : {}),
        } as Prisma.StringFilter)
      : undefined,
    status: query.status?.length ? { in: [...query.status] } : undefined,
    preset: query.preset?.length ? { in: [...query.preset] } : undefined,
    project: query.project ? { name: query.project } : undefined,
    projectId: query.projectIds ? { in: [...query.projectIds] } : undefined,
    tags: query.tag ? { some: { tag: query.tag } } : undefined,
    stars: query.starredBy ? { some: { userId: query.starredBy } } : undefined,
    createdAt:
      query.createdFrom || query.createdBefore
        ? { gte: query.createdFrom, lt: query.createdBefore }
        : undefined,
    testAccuracy: accuracyBounded ? { gte: query.minAccuracy, lte: query.maxAccuracy } : undefined,
  };
}

function runOrder(sort: RunSortKey, dir: "asc" | "desc"): Prisma.RunOrderByWithRelationInput[] {
  // Runs without a metric go last whichever way the metric sorts; id breaks ties so pages are stable.
  const key =
    sort === "testAccuracy" || sort === "bestValLoss"
      ? { [sort]: { sort: dir, nulls: "last" } }
      : { [sort]: dir };
  return [key, { id: dir }];
}

/** A page of run summaries matching `query`, with the total over all pages (two queries, no N+1). */
export async function listRuns(store: Store, query: RunQuery = {}): Promise<RunPage> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  const where = runWhere(store, query);
  const [rows, total] = await Promise.all([
    store.prisma.run.findMany({
      where,
      select: SUMMARY,
      orderBy: runOrder(query.sort ?? "createdAt", query.dir ?? "desc"),
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    store.prisma.run.count({ where }),
  ]);
  const defaults = await defaultModelRunIds(
    store,
    rows.flatMap((r) => (r.projectId === null ? [] : [r.projectId])),
  );
  return { items: rows.map((row) => toSummary(row, defaults)), total, page, pageSize };
}

export interface RunFacets {
  statuses: string[];
  presets: string[];
  tags: string[];
}

/**
 * The statuses, presets and tags that occur in the store (or in the runs of `projectIds`), sorted:
 * the choices of the runs filters.
 */
export async function runFacets(store: Store, projectIds?: readonly number[]): Promise<RunFacets> {
  const where = projectIds ? { projectId: { in: [...projectIds] } } : {};
  const [statuses, presets, tags] = await Promise.all([
    store.prisma.run.findMany({
      where,
      distinct: ["status"],
      select: { status: true },
      orderBy: { status: "asc" },
    }),
    store.prisma.run.findMany({
      where,
      distinct: ["preset"],
      select: { preset: true },
      orderBy: { preset: "asc" },
    }),
    store.prisma.runTag.findMany({
      where: projectIds ? { run: where } : {},
      distinct: ["tag"],
      select: { tag: true },
      orderBy: { tag: "asc" },
    }),
  ]);
  return {
    statuses: statuses.map((r) => r.status),
    presets: presets.map((r) => r.preset),
    tags: tags.map((r) => r.tag),
  };
}
