import type { Store } from "@cxrlab/db";
import PgBoss from "pg-boss";
import { type Job, parseJob } from "./jobs.ts";
import { markRunAfterFailedAttempt } from "./run-status.ts";

export type JobState = "created" | "retry" | "active" | "completed" | "cancelled" | "failed";

export interface QueuedJob {
  id: string;
  job: Job;
  state: JobState;
  /** Attempts that failed so far; the engine retries with backoff up to the queue's limit. */
  retryCount: number;
  createdOn: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  /** What the worker reported: the error of a failed attempt, or the job's result. */
  output: unknown;
}

/** A job handed to one worker; no other worker gets it while it is active. */
export interface ClaimedJob {
  id: string;
  job: Job;
}

export interface JobFilter {
  runId?: number;
}

export interface JobQueue {
  enqueue(job: Job): Promise<string>;
  /** The queue's jobs, oldest first; with `runId`, only the jobs for that run. */
  list(filter?: JobFilter): Promise<QueuedJob[]>;
  get(id: string): Promise<QueuedJob | null>;
  cancel(id: string): Promise<void>;
  /** Takes the next job that is due, or null when none is. */
  claim(): Promise<ClaimedJob | null>;
  /**
   * Keeps a claimed job for `leaseSeconds` more and returns its state. A job whose lease runs out
   * (its worker died) is failed by the engine and retried, by any worker.
   */
  renew(id: string, leaseSeconds: number): Promise<JobState | null>;
  complete(id: string, result: object): Promise<void>;
  /**
   * Records a failed attempt; the engine retries it later or leaves it failed (dead). Returns the
   * job's state afterwards: `retry`, `failed`, or another if the job had already left `active`.
   */
  fail(id: string, error: Error): Promise<JobState | null>;
  close(): Promise<void>;
}

export const QUEUE_NAME = "cxrlab-jobs";

export interface QueuePolicy {
  retryLimit: number;
  /** Seconds before the first retry; doubled for each further one. */
  retryDelay: number;
  /** The lease a worker gets when it claims a job, until it first renews it. */
  expireInSeconds: number;
}

export const DEFAULT_POLICY: QueuePolicy = { retryLimit: 2, retryDelay: 5, expireInSeconds: 300 };

export interface PostgresQueueOptions {
  /** Applied when the queue is first created. */
  policy?: QueuePolicy;
  /**
   * The store in the same database: given it, claims also put the runs of jobs whose worker died
   * (failed by pg-boss maintenance, which knows nothing of runs) back to queued, or failed.
   */
  store?: Store;
  /** How often this process looks for jobs whose lease ran out (pg-boss maintenance). */
  maintenanceSeconds?: number;
}

/**
 * The job queue on PostgreSQL, served by pg-boss (its own `pgboss` schema in the same database):
 * SKIP LOCKED fetches give each job to exactly one worker across machines.
 */
export async function openPostgresQueue(url: string, options: PostgresQueueOptions = {}): Promise<JobQueue> {
  const policy = options.policy ?? DEFAULT_POLICY;
  // Supervision (maintenance, on by default) is what fails and retries the job of a dead worker.
  const boss = new PgBoss({
    connectionString: url,
    schedule: false,
    ...(options.maintenanceSeconds ? { maintenanceIntervalSeconds: options.maintenanceSeconds } : {}),
  });
  boss.on("error", (err) => process.stderr.write(`queue: ${err.message}\n`));
  await boss.start();
  if (!(await boss.getQueue(QUEUE_NAME))) {
    // Workers starting together may race to create it; the loser finds it there.
    await boss
      .createQueue(QUEUE_NAME, { name: QUEUE_NAME, retryBackoff: true, ...policy })
      .catch(async (err: Error) => {
        if (!(await boss.getQueue(QUEUE_NAME))) throw err;
      });
  }
  const db = boss.getDb();

  const select = `SELECT id, data, state, retry_count AS "retryCount", created_on AS "createdOn",
    started_on AS "startedOn", completed_on AS "completedOn", output FROM pgboss.job WHERE name = $1`;
  const toQueued = (row: Record<string, unknown>): QueuedJob => ({
    id: String(row.id),
    job: parseJob(String(row.id), row.data),
    state: row.state as JobState,
    retryCount: Number(row.retryCount),
    createdOn: row.createdOn as Date,
    startedOn: (row.startedOn as Date | null) ?? null,
    completedOn: (row.completedOn as Date | null) ?? null,
    output: row.output ?? null,
  });

  // A training run still `running` while its job waits for a retry (or is dead) lost its worker:
  // a worker that fails a job itself has already moved the run on.
  const reportLostRuns = async (store: Store) => {
    const { rows } = await db.executeSql(
      `SELECT j.id, j.data, j.state, j.output FROM pgboss.job j JOIN "Run" r ON r.id = (j.data->>'runId')::int
       WHERE j.name = $1 AND j.data->>'kind' = 'train' AND j.state IN ('retry', 'failed') AND r.status = 'running'`,
      [QUEUE_NAME],
    );
    for (const row of rows) {
      const message = errorMessage(row.output) ?? "its worker stopped renewing the job";
      await markRunAfterFailedAttempt(
        store,
        parseJob(String(row.id), row.data),
        row.state as JobState,
        message,
      );
    }
  };

  return {
    async enqueue(job) {
      const id = await boss.send(QUEUE_NAME, job);
      if (!id) throw new Error(`queue ${QUEUE_NAME} did not accept the job`);
      return id;
    },
    async list(filter = {}) {
      const { rows } =
        filter.runId === undefined
          ? await db.executeSql(`${select} ORDER BY created_on`, [QUEUE_NAME])
          : await db.executeSql(`${select} AND (data->>'runId')::int = $2 ORDER BY created_on`, [
              QUEUE_NAME,
              filter.runId,
            ]);
      return rows.map(toQueued);
    },
    async get(id) {
      const { rows } = await db.executeSql(`${select} AND id = $2`, [QUEUE_NAME, id]);
      return rows[0] ? toQueued(rows[0]) : null;
    },
    async cancel(id) {
      await boss.cancel(QUEUE_NAME, id);
    },
    async claim() {
      if (options.store) await reportLostRuns(options.store);
      const [fetched] = await boss.fetch<unknown>(QUEUE_NAME);
      return fetched ? { id: fetched.id, job: parseJob(fetched.id, fetched.data) } : null;
    },
    async renew(id, leaseSeconds) {
      // pg-boss 10 has no heartbeat: a job expires at started_on + expire_in, so the lease is
      // moved by stretching expire_in (started_on stays the real start).
      const { rows } = await db.executeSql(
        `WITH renewed AS (
           UPDATE pgboss.job SET expire_in = (now() - started_on) + make_interval(secs => $3)
           WHERE name = $1 AND id = $2 AND state = 'active' RETURNING id)
         SELECT state FROM pgboss.job WHERE name = $1 AND id = $2`,
        [QUEUE_NAME, id, leaseSeconds],
      );
      return (rows[0]?.state as JobState | undefined) ?? null;
    },
    async complete(id, result) {
      await boss.complete(QUEUE_NAME, id, result);
    },
    async fail(id, error) {
      await boss.fail(QUEUE_NAME, id, { message: error.message });
      const { rows } = await db.executeSql("SELECT state FROM pgboss.job WHERE name = $1 AND id = $2", [
        QUEUE_NAME,
        id,
      ]);
      return (rows[0]?.state as JobState | undefined) ?? null;
    },
    async close() {
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

/** The message of a failed attempt's output: ours (`{message}`) or pg-boss's (`{value: {message}}`). */
export function errorMessage(output: unknown): string | null {
  if (!output || typeof output !== "object") return null;
  if ("message" in output) return String(output.message);
  return "value" in output ? errorMessage(output.value) : null;
}
