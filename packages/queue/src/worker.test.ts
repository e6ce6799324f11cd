import { describe, expect, it } from "vitest";
import type { Job } from "./jobs.ts";
import type { JobQueue, JobState } from "./queue.ts";
import { type JobRunner, runWorker } from "./worker.ts";

const job = (runId: number): Job => ({ kind: "train", runId, options: { preset: "quick", data: "/data" } });

/** Jobs in memory with the calls the worker made, to check what it reports back. */
function memoryQueue(ids: string[]) {
  const states = new Map<string, JobState>(ids.map((id) => [id, "created"]));
  const calls: string[] = [];
  const queue: JobQueue = {
    enqueue: async () => {
      throw new Error("not used");
    },
    list: async () => [],
    get: async () => null,
    cancel: async (id) => {
      states.set(id, "cancelled");
    },
    claim: async () => {
      const id = ids.find((i) => states.get(i) === "created");
      if (!id) return null;
      states.set(id, "active");
      return { id, job: job(ids.indexOf(id) + 1) };
    },
    renew: async (id) => states.get(id) ?? null,
    complete: async (id) => {
      calls.push(`complete ${id}`);
      states.set(id, "completed");
    },
    fail: async (id, err) => {
      calls.push(`fail ${id}: ${err.message}`);
      states.set(id, "retry");
      return "retry" as const;
    },
    close: async () => {},
  };
  return { queue, states, calls };
}

/** A runner that works until its signal aborts (or `ms` pass), like training stopping at a batch. */
const until =
  (ms: number, onStart?: (id: string) => void): JobRunner =>
  async (_job, context) => {
    onStart?.(context.id);
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      context.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { aborted: context.signal.aborted };
  };

const quiet = { log: () => {}, leaseSeconds: 0.03 };

describe("runWorker", () => {
  it("completes jobs that succeed and fails (for a retry) the ones that throw", async () => {
    const { queue, calls } = memoryQueue(["a", "b"]);
    const told: string[] = [];
    const summary = await runWorker({
      ...quiet,
      queue,
      once: true,
      run: async (j) => {
        if (j.runId === 2) throw new Error("bad folder");
        return {};
      },
      onFailed: async (claimed, state, err) => {
        told.push(`${claimed.id} run ${claimed.job.runId} ${state}: ${err.message}`);
      },
    });
    expect(summary).toEqual({ completed: ["a"], failed: ["b"], cancelled: [] });
    expect(calls).toEqual(["complete a", "fail b: bad folder"]);
    expect(told).toEqual(["b run 2 retry: bad folder"]);
  });

  it("runs up to `concurrency` jobs at once, each once", async () => {
    const { queue, calls } = memoryQueue(["a", "b", "c", "d", "e"]);
    let running = 0;
    let most = 0;
    const summary = await runWorker({
      ...quiet,
      queue,
      once: true,
      concurrency: 2,
      run: async (j, context) => {
        running++;
        most = Math.max(most, running);
        await until(30)(j, context);
        running--;
        return {};
      },
    });
    expect(most).toBe(2);
    expect(summary.completed.sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(calls.sort()).toEqual(["a", "b", "c", "d", "e"].map((id) => `complete ${id}`));
  });

  it("stops a job cancelled while it runs and neither completes nor fails it", async () => {
    const { queue, calls } = memoryQueue(["a"]);
    const summary = await runWorker({
      ...quiet,
      queue,
      once: true,
      run: until(5000, (id) => setTimeout(() => queue.cancel(id), 20)),
    });
    expect(summary).toEqual({ completed: [], failed: [], cancelled: ["a"] });
    expect(calls).toEqual([]);
  });

  it("counts a runner that throws the signal's reason when cancelled (evaluation, prediction) as cancelled", async () => {
    const { queue, calls } = memoryQueue(["a"]);
    const told: string[] = [];
    const summary = await runWorker({
      ...quiet,
      queue,
      once: true,
      run: async (_job, context) => {
        setTimeout(() => queue.cancel(context.id), 20);
        await new Promise((_, reject) =>
          context.signal.addEventListener("abort", () => reject(context.signal.reason)),
        );
        return {};
      },
      onFailed: async (claimed) => {
        told.push(claimed.id);
      },
    });
    expect(summary).toEqual({ completed: [], failed: [], cancelled: ["a"] });
    expect(calls).toEqual([]);
    expect(told).toEqual([]);
  });

  it("stops a job whose lease the queue gave to another worker, reporting nothing back", async () => {
    const { queue, states, calls } = memoryQueue(["a"]);
    const summary = await runWorker({
      ...quiet,
      queue,
      once: true,
      run: until(5000, (id) => setTimeout(() => states.set(id, "retry"), 20)),
    });
    expect(summary.failed).toEqual(["a"]);
    expect(calls).toEqual([]);
  });

  it("hands an unfinished job back to the queue when the worker is stopped", async () => {
    const { queue, calls } = memoryQueue(["a", "b"]);
    const stop = new AbortController();
    const summary = await runWorker({
      ...quiet,
      queue,
      signal: stop.signal,
      run: until(5000, () => stop.abort()),
    });
    expect(summary).toEqual({ completed: [], failed: ["a"], cancelled: [] });
    expect(calls).toEqual(["fail a: the worker stopped before the job finished"]);
  });
});
