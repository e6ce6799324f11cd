import { randomUUID } from "node:crypto";
import type { JobRow, Store } from "@cxrlab/db";
import { retryWhenBusy } from "@cxrlab/db";
import { type Job, parseJob } from "./jobs.ts";
import { DEFAULT_POLICY, type JobQueue, type JobState, type QueuedJob, type QueuePolicy } from "./queue.ts";
import { markRunAfterFailedAttempt } from "./run-status.ts";

export interface SqliteQueueOptions {
  /** Copied into each job when it is queued. */
  policy?: QueuePolicy;
}

/** States a job can still leave; the others are final. */
const OPEN_STATES = ["created", "retry", "active"];

const LOST_LEASE = "the worker's lease ran out (it died or lost the store)";

/**
 * The job queue in the store's own SQLite file (table `Job`), for processes on one machine. Every
 * change of a job is a single conditional UPDATE, so two processes racing for a job cannot both
 * win it: SQLite takes its write lock before the statement reads.
 */
export function openSqliteQueue(store: Store, options: SqliteQueueOptions = {}): JobQueue {
  const policy = options.policy ?? DEFAULT_POLICY;
  const jobs = store.prisma.job;

  const toQueued = (row: JobRow): QueuedJob => ({
    id: row.id,
    job: parseJob(row.id, row.data),
    state: row.state as JobState,
    retryCount: row.retryCount,
    createdOn: row.createdOn,
    startedOn: row.startedOn,
    completedOn: row.completedOn,
    output: row.output ?? null,
  });

  /**
   * Ends a failed attempt of an active job: retried after retryDelay * 2^retryCount seconds, or
   * left failed (dead) once retryLimit retries were used. Only the attempt `row` describes (active,
   * retryCount) is changed; a job cancelled or expired meanwhile is left as it is. Returns the
   * job's new state.
   */
  const endAttempt = async (row: JobRow, message: string): Promise<JobState | null> => {
    const now = new Date();
    const dead = row.retryCount >= row.retryLimit;
    const { count } = await retryWhenBusy(() =>
      jobs.updateMany({
        where: { id: row.id, state: "active", retryCount: row.retryCount },
        data: dead
          ? { state: "failed", output: { message }, completedOn: now, leaseUntil: null }
          : {
              state: "retry",
              output: { message },
              retryCount: row.retryCount + 1,
              startAfter: new Date(now.getTime() + row.retryDelay * 2 ** row.retryCount * 1000),
              leaseUntil: null,
            },
      }),
    );
    if (count === 1) return dead ? "failed" : "retry";
    return ((await jobs.findUnique({ where: { id: row.id }, select: { state: true } }))?.state ??
      null) as JobState | null;
  };

  /** Fails (for a retry) every active job whose worker stopped renewing its lease. */
  const expireLeases = async (): Promise<void> => {
    const lapsed = await jobs.findMany({ where: { state: "active", leaseUntil: { lt: new Date() } } });
    for (const row of lapsed) {
      const state = await endAttempt(row, LOST_LEASE);
      // Its worker is gone, so the run is told here.
      await markRunAfterFailedAttempt(store, parseJob(row.id, row.data), state, LOST_LEASE);
    }
  };

  return {
    async enqueue(job: Job) {
      const now = new Date();
      const id = randomUUID();
      await retryWhenBusy(() =>
        jobs.create({
          data: {
            id,
            data: job,
            retryLimit: policy.retryLimit,
            retryDelay: policy.retryDelay,
            leaseSeconds: policy.expireInSeconds,
            startAfter: now,
            createdOn: now,
          },
        }),
      );
      return id;
    },
    async list(filter = {}) {
      await expireLeases();
      // Prisma filters JSON by path only on PostgreSQL: SQLite's json_extract picks the run's jobs.
      const ids =
        filter.runId === undefined
          ? undefined
          : (
              await store.prisma.$queryRaw<{ id: string }[]>`
                SELECT "id" FROM "Job" WHERE json_extract("data", '$.runId') = ${filter.runId}`
            ).map((r) => r.id);
      const rows = await jobs.findMany({
        ...(ids ? { where: { id: { in: ids } } } : {}),
        orderBy: [{ createdOn: "asc" }, { id: "asc" }],
      });
      return rows.map(toQueued);
    },
    async get(id) {
      await expireLeases();
      const row = await jobs.findUnique({ where: { id } });
      return row ? toQueued(row) : null;
    },
    async cancel(id) {
      await retryWhenBusy(() =>
        jobs.updateMany({
          where: { id, state: { in: OPEN_STATES } },
          data: { state: "cancelled", completedOn: new Date(), leaseUntil: null },
        }),
      );
    },
    async claim() {
      await expireLeases();
      const now = new Date();
      // One statement: the oldest due job becomes active with its first lease, or nothing happens.
      // Dates are written as the Prisma adapter writes them (ISO 8601, "+00:00"), so they compare as text.
      const rows = await retryWhenBusy(
        () => store.prisma.$queryRaw<{ id: string; data: unknown }[]>`
          UPDATE "Job" SET "state" = 'active', "startedOn" = ${now},
            "leaseUntil" = strftime('%Y-%m-%dT%H:%M:%f+00:00', ${now}, '+' || "leaseSeconds" || ' seconds')
          WHERE "id" = (
            SELECT "id" FROM "Job" WHERE "state" IN ('created', 'retry') AND "startAfter" <= ${now}
            ORDER BY "startAfter", "createdOn", "id" LIMIT 1)
          RETURNING "id", "data"`,
      );
      const row = rows[0];
      if (!row) return null;
      const data = typeof row.data === "string" ? JSON.parse(row.data) : row.data;
      return { id: row.id, job: parseJob(row.id, data) };
    },
    async renew(id, leaseSeconds) {
      await retryWhenBusy(() =>
        jobs.updateMany({
          where: { id, state: "active" },
          data: { leaseUntil: new Date(Date.now() + leaseSeconds * 1000) },
        }),
      );
      return ((await jobs.findUnique({ where: { id }, select: { state: true } }))?.state ??
        null) as JobState | null;
    },
    async complete(id, result) {
      await retryWhenBusy(() =>
        jobs.updateMany({
          where: { id, state: "active" },
          data: { state: "completed", output: result, completedOn: new Date(), leaseUntil: null },
        }),
      );
    },
    async fail(id, error) {
      const row = await jobs.findUnique({ where: { id } });
      if (!row) return null;
      if (row.state !== "active") return row.state as JobState;
      return endAttempt(row, error.message);
    },
    async close() {},
  };
}
