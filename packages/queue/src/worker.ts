import { setTimeout as sleep } from "node:timers/promises";
import type { Job } from "./jobs.ts";
import type { ClaimedJob, JobQueue, JobState } from "./queue.ts";

export interface JobContext {
  id: string;
  /** Aborted when the job is cancelled or the worker is asked to stop; training stops after its batch. */
  signal: AbortSignal;
  /** True once the job was cancelled in the queue (as opposed to the worker stopping). */
  cancelled(): boolean;
  log(line: string): void;
}

/** Runs one job to its end; what it returns is stored as the job's result. */
export type JobRunner = (job: Job, context: JobContext) => Promise<object>;

export interface WorkerOptions {
  queue: JobQueue;
  run: JobRunner;
  /** Run what is queued, then return instead of waiting for more. */
  once?: boolean;
  /** Stops the worker: it finishes (or stops) its current job, then returns. */
  signal?: AbortSignal;
  pollMs?: number;
  /**
   * Seconds a claimed job stays this worker's without renewal; renewed every third of it (and
   * checked for a cancel at least every 2 s). A worker killed mid-job loses the job after this.
   */
  leaseSeconds?: number;
  log?: (line: string) => void;
  /** Jobs run at once (default 1), each with its own lease. */
  concurrency?: number;
  /** Told after an attempt was failed in the queue, with the job's state then (`retry` or `failed`: dead). */
  onFailed?: (claimed: ClaimedJob, state: JobState | null, error: Error) => Promise<void>;
}

export interface WorkerSummary {
  completed: string[];
  failed: string[];
  cancelled: string[];
}

/**
 * Takes jobs from the queue and runs them, `concurrency` at a time. A job the runner throws on is failed in
 * the queue (which retries it with backoff); a job cancelled while it runs is stopped at the
 * next batch.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const { queue, run, pollMs = 2000, leaseSeconds = 60 } = options;
  const watchMs = Math.min(2000, (leaseSeconds * 1000) / 3);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const summary: WorkerSummary = { completed: [], failed: [], cancelled: [] };

  const fail = async (claimed: ClaimedJob, error: Error) => {
    const state = await queue.fail(claimed.id, error);
    summary.failed.push(claimed.id);
    if (state === "failed") log(`worker: job ${claimed.id} failed for good (no retries left)`);
    await options.onFailed?.(claimed, state, error);
  };

  const runClaimed = async (claimed: ClaimedJob) => {
    const { id, job } = claimed;
    log(`worker: job ${id} (${job.kind}, run ${job.runId}) started`);
    const controller = new AbortController();
    const stop = () => controller.abort();
    options.signal?.addEventListener("abort", stop, { once: true });
    let cancelled = false;
    let lost = false;
    const renew = () =>
      queue.renew(id, leaseSeconds).then(
        (state) => {
          if (state === "active" || controller.signal.aborted) return;
          // Cancelled, or the lease ran out and the engine gave the job to another worker.
          cancelled = state === "cancelled";
          lost = !cancelled;
          if (lost) log(`worker: job ${id} is ${state ?? "gone"} in the queue; stopping it`);
          controller.abort();
        },
        (err: Error) => log(`worker: could not renew job ${id}: ${err.message}`),
      );
    await renew();
    const watch = setInterval(renew, watchMs);
    try {
      // A runner may stop by returning (training ends after its batch) or by throwing the signal's
      // reason (evaluation and prediction): once stopped, either way means the same.
      const result = await run(job, { id, signal: controller.signal, cancelled: () => cancelled, log }).catch(
        (err: unknown) => {
          if (controller.signal.aborted) return undefined;
          throw err;
        },
      );
      if (cancelled) {
        summary.cancelled.push(id);
        log(`worker: job ${id} cancelled`);
      } else if (lost) {
        // The queue has already failed (and retried) it: there is nothing to report back.
        summary.failed.push(id);
      } else if (options.signal?.aborted) {
        // Stopped, not finished: the queue hands it out again later.
        await fail(claimed, new Error("the worker stopped before the job finished"));
      } else {
        await queue.complete(id, result ?? {});
        summary.completed.push(id);
        log(`worker: job ${id} completed`);
      }
    } catch (err) {
      log(`worker: job ${id} failed: ${(err as Error).message}`);
      await fail(claimed, err as Error);
    } finally {
      clearInterval(watch);
      options.signal?.removeEventListener("abort", stop);
    }
  };

  // Each slot claims and runs one job at a time; the queue keeps two slots off the same job.
  const slot = async () => {
    while (!options.signal?.aborted) {
      const claimed = await queue.claim();
      if (!claimed) {
        if (options.once) break;
        await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
        continue;
      }
      await runClaimed(claimed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, slot));
  return summary;
}
