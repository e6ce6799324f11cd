import type { Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";
import { USER_REF, type UserRef } from "./user-ref.ts";

/** One promotion of a run's model to its project's default model for predictions. */
export interface PromotionRecord {
  id: number;
  projectId: number;
  projectName: string;
  runId: number;
  runName: string;
  /** The run's saved model folder. */
  modelLocation: string;
  /** Null once the promoter's account is deleted. */
  promotedBy: UserRef | null;
  createdAt: Date;
}

/** Why a run's model cannot become a project's default. */
export class PromotionRefused extends Error {
  override name = "PromotionRefused";
}

const PROMOTION = {
  project: { select: { name: true } },
  run: { select: { name: true, modelLocation: true } },
  promotedBy: { select: USER_REF },
} satisfies Prisma.ModelPromotionInclude;

// Newest first; the id breaks ties between promotions stamped in the same millisecond.
const NEWEST_FIRST = [
  { createdAt: "desc" },
  { id: "desc" },
] satisfies Prisma.ModelPromotionOrderByWithRelationInput[];

function toRecord(row: Prisma.ModelPromotionGetPayload<{ include: typeof PROMOTION }>): PromotionRecord {
  const { id, projectId, project, runId, createdAt, run, promotedBy } = row;
  // Only runs with a model can be promoted, and a run's model location is never cleared.
  return {
    id,
    projectId,
    projectName: project.name,
    runId,
    runName: run.name,
    modelLocation: run.modelLocation ?? "",
    promotedBy,
    createdAt,
  };
}

/**
 * Makes run `runId`'s model the default model of project `projectId`, recording who did it. The run
 * must belong to the project, have finished successfully and have saved a model.
 */
export async function promoteRun(
  store: Store,
  projectId: number,
  runId: number,
  userId: string | null,
): Promise<PromotionRecord> {
  const run = await store.prisma.run.findUnique({
    where: { id: runId },
    select: { projectId: true, status: true, modelLocation: true, project: { select: { name: true } } },
  });
  const project = await store.prisma.project.findUnique({ where: { id: projectId }, select: { name: true } });
  if (!project) throw new PromotionRefused(`promote run ${runId}: no project ${projectId}`);
  if (!run) throw new PromotionRefused(`promote run ${runId}: no such run`);
  if (run.projectId !== projectId) {
    const where = run.project ? `project "${run.project.name}"` : "no project";
    throw new PromotionRefused(
      `promote run ${runId}: it belongs to ${where}, not to project "${project.name}"`,
    );
  }
  if (run.status !== "succeeded") {
    throw new PromotionRefused(
      `promote run ${runId}: it is ${run.status}; only a succeeded run's model can be promoted`,
    );
  }
  if (!run.modelLocation) throw new PromotionRefused(`promote run ${runId}: it saved no model`);
  const created = await retryWhenBusy(() =>
    store.prisma.modelPromotion.create({
      data: { projectId, runId, promotedById: userId },
      include: PROMOTION,
    }),
  );
  return toRecord(created);
}

/**
 * The project's default model for predictions: its newest promotion, with who promoted it and
 * when; null when none was promoted. `project` is the project's id or name.
 */
export async function projectDefaultModel(
  store: Store,
  project: number | string,
): Promise<PromotionRecord | null> {
  const row = await store.prisma.modelPromotion.findFirst({
    where: typeof project === "number" ? { projectId: project } : { project: { name: project } },
    include: PROMOTION,
    orderBy: NEWEST_FIRST,
  });
  return row && toRecord(row);
}

/** A promotion in a project's history. */
export interface PromotionHistoryEntry extends PromotionRecord {
  /** Whether it made the project's current default model (the newest promotion does). */
  current: boolean;
}

/** Every promotion in the project, newest (the current default) first. */
export async function promotionHistory(store: Store, projectId: number): Promise<PromotionHistoryEntry[]> {
  const rows = await store.prisma.modelPromotion.findMany({
    where: { projectId },
    include: PROMOTION,
    orderBy: NEWEST_FIRST,
  });
  return rows.map((row, index) => ({ ...toRecord(row), current: index === 0 }));
}

/** Of the given projects, the runs whose model is the project's default now. */
export async function defaultModelRunIds(store: Store, projectIds: readonly number[]): Promise<Set<number>> {
  if (!projectIds.length) return new Set();
  // Ordered by project then newest first, `distinct` keeps each project's newest promotion.
  const rows = await store.prisma.modelPromotion.findMany({
    where: { projectId: { in: [...new Set(projectIds)] } },
    orderBy: [{ projectId: "asc" }, ...NEWEST_FIRST],
    distinct: ["projectId"],
    select: { runId: true },
  });
  return new Set(rows.map((r) => r.runId));
}
