import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRun, getRun, migrate, openStore, type Store } from "@cxrlab/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Job } from "./jobs.ts";
import { openQueue } from "./open-queue.ts";
import type { JobQueue } from "./queue.ts";
import { openSqliteQueue } from "./sqlite-queue.ts";

const train = (runId: number): Job => ({ kind: "train", runId, options: { preset: "quick", data: "/data" } });

describe("job queue on a SQLite file", () => {
  let dir: string;
  let store: Store;
  let queue: JobQueue;
  let runId: number;
  // Lease 1 s, first retry after 1 s (then 2 s), two retries.
  const policy = { retryLimit: 2, retryDelay: 1, expireInSeconds: 1 };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "cxrlab-sqlite-queue-"));
    store = await openStore(`file:${path.join(dir, "store.db")}`);
    await migrate(store);
    queue = openSqliteQueue(store, { policy });
    runId = (await createRun(store, { config: resolveConfig("quick", {}) })).id;
  });
  afterEach(async () => {
    await queue.close();
    await store.close();
    rmSync(dir, { recursive: true });
  });

  it("hands each job out once, oldest first, and records its result", async () => {
    const first = await queue.enqueue(train(runId));
    const second = await queue.enqueue({ kind: "evaluate", runId, options: { data: "/test" } });
    // A second connection to the same file, as another process would have.
    const other = await openQueue(store.target.url, { policy });
    try {
      const claims = await Promise.all([queue.claim(), other.claim(), queue.claim(), other.claim()]);
      expect(claims.filter((c) => c !== null).map((c) => c.id)).toEqual(
        expect.arrayContaining([first, second]),
      );
      expect(claims.filter((c) => c !== null)).toHaveLength(2);
    } finally {
      await other.close();
    }
    expect(await queue.renew(first, 30)).toBe("active");
    await queue.complete(first, { ok: 1 });
    const listed = await queue.list();
    expect(listed.map((j) => [j.id, j.state, j.job.kind])).toEqual([
      [first, "completed", "train"],
      [second, "active", "evaluate"],
    ]);
    expect(listed[0]?.output).toEqual({ ok: 1 });
    expect(listed[0]?.completedOn).toBeInstanceOf(Date);
  });

  it("retries a failed job with doubling backoff, then leaves it dead", async () => {
    const id = await queue.enqueue(train(runId));
    const attempt = async () => {
      for (let waited = 0; waited < 5000; waited += 100) {
        const claimed = await queue.claim();
        if (claimed) return claimed;
        await sleep(100);
      }
      throw new Error("no job became due");
    };
    const started: number[] = [];
    for (const expected of ["retry", "retry", "failed"] as const) {
      await attempt();
      started.push(Date.now());
      expect(await queue.fail(id, new Error(`bad folder ${started.length}`))).toBe(expected);
      expect(await queue.claim()).toBeNull();
    }
    // 1 s, then 2 s before the retries were due.
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(900);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(1900);
    const job = await queue.get(id);
    expect(job).toMatchObject({ state: "failed", retryCount: 2, output: { message: "bad folder 3" } });
  });

  it("retries the job of a worker that stopped renewing its lease and tells its run", async () => {
    const id = await queue.enqueue(train(runId));
    expect((await queue.claim())?.id).toBe(id);
    await sleep(1200);
    // Any process looking at the queue notices the lapsed lease.
    expect(await queue.get(id)).toMatchObject({ state: "retry", retryCount: 1 });
    expect(await queue.renew(id, 30)).toBe("retry");
    const run = await getRun(store, runId);
    expect(run?.status).toBe("queued");
    expect(run?.statusMessage).toMatch(/lease ran out/);
  });

  it("cancels a queued job so it never starts, and does not reopen a finished one", async () => {
    const id = await queue.enqueue(train(runId));
    await queue.cancel(id);
    expect(await queue.claim()).toBeNull();
    expect((await queue.get(id))?.state).toBe("cancelled");
    expect(await queue.fail(id, new Error("late"))).toBe("cancelled");
    expect(await queue.get("no-such-job")).toBeNull();
  });

  it("names the job when its stored data is not a job", async () => {
    await store.prisma.job.create({
      data: { id: "broken", data: { kind: "dance" }, retryLimit: 0, retryDelay: 1, leaseSeconds: 1 },
    });
    await expect(queue.list()).rejects.toThrow(/queued job broken is not a valid job/);
  });
});
