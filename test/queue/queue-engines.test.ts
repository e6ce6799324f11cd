import { setTimeout as sleep } from "node:timers/promises";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRun, getRun, migrate, openStore, type Store, updateRunStatus } from "@cxrlab/db";
import { type JobQueue, type JobState, openQueue } from "@cxrlab/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DatabaseFactory,
  postgresDatabase,
  postgresServer,
  sqliteDatabase,
  type TestDatabase,
} from "../db/databases.ts";

/** What both queue engines (pg-boss, the SQLite table) must do alike, without running real jobs. */
function queueEngineSuite(createDatabase: DatabaseFactory) {
  let db: TestDatabase;
  let store: Store;
  let queue: JobQueue;
  beforeAll(async () => {
    db = await createDatabase();
    store = await openStore(db.url);
    await migrate(store);
    // One retry, due at once; a 1 s lease; pg-boss looks for lapsed leases every second.
    queue = await openQueue(store, {
      policy: { retryLimit: 1, retryDelay: 0, expireInSeconds: 1 },
      maintenanceSeconds: 1,
    });
  });
  afterAll(async () => {
    await queue?.close();
    await store?.close();
    await db?.drop();
  });

  /** Claims until the job is handed out (pg-boss may need a maintenance pass first). */
  const claimAgain = async (id: string) => {
    for (let waited = 0; waited < 30_000; waited += 250) {
      const claimed = await queue.claim();
      if (claimed) {
        expect(claimed.id).toBe(id);
        return;
      }
      await sleep(250);
    }
    throw new Error(`job ${id} was not handed out again`);
  };
  const waitForState = async (id: string, state: JobState) => {
    for (let waited = 0; waited < 30_000; waited += 250) {
      if ((await queue.get(id))?.state === state) return;
      await sleep(250);
    }
    throw new Error(`job ${id} never became ${state}`);
  };

  // A worker that dies mid-job (simulated: a claim that is never renewed) must not leave its run
  // `running` for ever: the run waits as `queued` for the retry, then is `failed` once the job is dead.
  it("puts the run of a dead worker's job back to queued, then failed when no retry is left", async () => {
    const run = await createRun(store, { config: resolveConfig("quick", {}) });
    const id = await queue.enqueue({
      kind: "train",
      runId: run.id,
      options: { preset: "quick", data: "/d" },
    });
    await claimAgain(id);
    // What runTraining does on the worker that then dies.
    await updateRunStatus(store, run.id, "running");

    await waitForState(id, "retry");
    // The next claim by any worker (the job is due at once, so it also takes it).
    await claimAgain(id);
    const waiting = await getRun(store, run.id);
    expect(waiting?.status).toBe("queued");
    expect(waiting?.statusMessage).toMatch(/timeout|lease ran out/);

    await updateRunStatus(store, run.id, "running");
    await waitForState(id, "failed");
    expect(await queue.claim()).toBeNull();
    const dead = await getRun(store, run.id);
    expect(dead?.status).toBe("failed");
    expect(dead?.statusMessage).toMatch(/timeout|lease ran out/);
  }, 120_000);

  // What cancelling a run looks up.
  it("lists only the jobs of the run asked for, oldest first, among other runs' jobs", async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) => createRun(store, { config: resolveConfig("quick", { name }) })),
    );
    const ids: Record<string, string[]> = { a: [], b: [] };
    for (const [name, run] of [
      ["a", a!],
      ["b", b!],
      ["a", a!],
    ] as const) {
      ids[name]!.push(
        await queue.enqueue({ kind: "train", runId: run.id, options: { preset: "quick", data: "/d" } }),
      );
    }
    ids.a!.push(await queue.enqueue({ kind: "evaluate", runId: a!.id, options: { data: "/t" } }));

    // Jobs queued within one millisecond may come back in either order.
    const sorted = (jobs: { id: string }[]) => jobs.map((j) => j.id).sort();
    const ofA = await queue.list({ runId: a!.id });
    expect(sorted(ofA)).toEqual([...ids.a!].sort());
    const times = ofA.map((j) => j.createdOn.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(ofA.map((j) => j.job.kind).sort()).toEqual(["evaluate", "train", "train"]);
    expect(sorted(await queue.list({ runId: b!.id }))).toEqual(ids.b);
    expect(await queue.list({ runId: 987_654 })).toEqual([]);
    // The whole queue also holds the jobs of the test above.
    expect((await queue.list()).length).toBeGreaterThan(4);
  });
}

describe("the SQLite queue", () => queueEngineSuite(sqliteDatabase));
describe.skipIf(!postgresServer)("the PostgreSQL queue (pg-boss)", () => queueEngineSuite(postgresDatabase));
