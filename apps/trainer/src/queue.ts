import PgBoss from "pg-boss";
import { type Job, parseJob } from "./jobs.ts";

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

export interface JobQueue {
  enqueue(job: Job): Promise<string>;
  list(): Promise<QueuedJob[]>;
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
  /** Records a failed attempt; the engine retries it later or leaves it failed (dead). */
  fail(id: string, error: Error): Promise<void>;
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

  return {
    async enqueue(job) {
      const id = await boss.send(QUEUE_NAME, job);
      if (!id) throw new Error(`queue ${QUEUE_NAME} did not accept the job`);
      return id;
    },
    async list() {
      const { rows } = await db.executeSql(`${select} ORDER BY created_on`, [QUEUE_NAME]);
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
    },
    async close() {
      await boss.stop({ graceful: false, wait: true });
    },
  };
}

/** The job queue for the store at `url`; only PostgreSQL serves one so far. */
export async function openQueue(url: string, options?: PostgresQueueOptions): Promise<JobQueue> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresQueue(url, options);
  throw new Error(
    `the job queue needs a PostgreSQL store (DATABASE_URL=postgresql://...); this store is ${url.split(":")[0]}:..., where \`cxrlab train\` trains in-process`,
  );
}
