import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";

export interface StarState {
  runId: number;
  /** Whether the user has starred the run. */
  starred: boolean;
  /** How many users have starred it. */
  stars: number;
}

/** A user's star on a run and the run's star count. */
export async function runStarState(store: Store, runId: number, userId: string): Promise<StarState> {
  const [mine, stars] = await Promise.all([
    store.prisma.runStar.count({ where: { runId, userId } }),
    store.prisma.runStar.count({ where: { runId } }),
  ]);
  return { runId, starred: mine > 0, stars };
}

/** Stars a run for a user (starring twice is one star). */
export async function starRun(store: Store, runId: number, userId: string): Promise<StarState> {
  await retryWhenBusy(() =>
    store.prisma.runStar.upsert({
      where: { runId_userId: { runId, userId } },
      create: { runId, userId },
      update: {},
    }),
  );
  return runStarState(store, runId, userId);
}

/** Takes a user's star off a run (no star is fine). */
export async function unstarRun(store: Store, runId: number, userId: string): Promise<StarState> {
  await retryWhenBusy(() => store.prisma.runStar.deleteMany({ where: { runId, userId } }));
  return runStarState(store, runId, userId);
}

export async function isStarred(store: Store, runId: number, userId: string): Promise<boolean> {
  return (await store.prisma.runStar.count({ where: { runId, userId } })) > 0;
}

/** The ids of the runs a user starred, most recently starred first. */
export async function starredRunIds(store: Store, userId: string): Promise<number[]> {
  const rows = await store.prisma.runStar.findMany({
    where: { userId },
    select: { runId: true },
    orderBy: [{ createdAt: "desc" }, { runId: "desc" }],
  });
  return rows.map((r) => r.runId);
}
