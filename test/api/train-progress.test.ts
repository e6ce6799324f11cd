import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RouterOutputs } from "@cxrlab/api";
import { sharedPaths } from "@cxrlab/core/paths";
import { migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, runCli } from "../helpers.ts";
import { adminOfEverything, callerAs, testAccount } from "./accounts.ts";

type Summary = RouterOutputs["runs"]["list"]["items"][number];

/** A real `cxrlab train`, watched through the dashboard API while it runs. */
describe("cxrlab train writes live progress the dashboard reads", () => {
  let store: Store;
  const seen: Summary[] = [];
  let finished: Summary;
  let cliList: string;

  beforeAll(async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "cxrlab-progress-"));
    // The watcher is a member of the project the CLI's run lands in ("default").
    store = await openStore(DATABASE_URL);
    await migrate(store);
    const api = await callerAs(store, await testAccount(store, "viewer"));
    const train = runCli([
      "train",
      "--preset",
      "quick",
      "--data",
      sharedPaths.sample(),
      "--limit-per-class",
      "6",
      "--epochs",
      "2",
      "--image-size",
      "64",
      "--name",
      "progress-watch",
      "--out",
      out,
      "--json",
    ]);
    let done = false;
    void train.finally(() => {
      done = true;
    });
    while (!done) {
      // The CLI migrates the store at start; until then there is nothing to read.
      const page = await api.runs.list().catch(() => null);
      const run = page?.items[0];
      if (run?.progress) seen.push(run);
      await new Promise((r) => setTimeout(r, 150));
    }
    const result = await train;
    expect(result.code, result.stderr).toBe(0);
    finished = (await api.runs.list()).items[0]!;
    cliList = (await runCli(["runs", "list"])).stdout;
  }, 600_000);
  afterAll(async () => {
    await store?.close();
  });

  it("shows phases with consistent counts while running", () => {
    expect(seen.length).toBeGreaterThan(2);
    for (const run of seen) {
      const p = run.progress!;
      expect(run.status).toBe("running");
      expect(["check", "fit", "cache", "train", "validate", "test", "predict"]).toContain(p.phase);
      expect(p.done).toBeLessThanOrEqual(p.total);
      expect(p.percent).toBeCloseTo(p.total > 0 ? (100 * p.done) / p.total : 100, 9);
      expect(p.updatedAt).toBeInstanceOf(Date);
    }
    const training = seen.filter((r) => r.progress!.phase === "train");
    expect(training.length).toBeGreaterThan(0);
    expect(training.every((r) => r.progress!.epochs === 2 && r.progress!.epoch! >= 1)).toBe(true);
  });

  it("clears progress when the run ends and summarises the finished run", async () => {
    expect(finished).toMatchObject({
      name: "progress-watch",
      status: "succeeded",
      progress: null,
      epochsDone: 2,
      epochsPlanned: 2,
    });
    const detail = await (await callerAs(store, await adminOfEverything(store))).runs.get({
      id: finished.id,
    });
    const test = detail.evaluations.find((e) => e.split === "test")!;
    expect(finished.testAccuracy).toBe(test.metrics.accuracy);
    expect(finished.bestValLoss).toBe(Math.min(...detail.epochs.map((e) => e.valLoss!)));
    // `cxrlab runs list` shows the same accuracy from the summary query.
    const line = cliList.split("\n").find((l) => l.includes("progress-watch"))!;
    expect(line).toContain(`${(test.metrics.accuracy * 100).toFixed(2)}%`);
  });
});
