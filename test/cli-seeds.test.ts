import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sharedPaths } from "@cxrlab/core/paths";
import type { SeedSummary } from "@cxrlab/core/run";
import { CLASS_NAMES } from "@cxrlab/core/testing";
import { listRuns, openStore, type Store } from "@cxrlab/db";
import { openQueue } from "@cxrlab/queue";
import { describe, expect, it } from "vitest";
import { DATABASE_URL, parseJson, runCli } from "./helpers.ts";

const TINY = ["--preset", "quick", "--image-size", "64", "--views", "1", "--epochs", "1"];
const CLASSES = CLASS_NAMES;

/** Reads this file's experiment store directly (a CLI process a query costs seconds). */
async function inStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(DATABASE_URL);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const runsTagged = (tag: string) => inStore(async (store) => (await listRuns(store, { tag })).items);

/**
 * 6 sample images per class in <root>/Train/<class>/, and a GROUPS.tsv at <root> pairing them up:
 * quick (like recommended) then splits by these groups.
 */
function groupedDataset(): { dataDir: string; groups: Map<string, string>; groupsFile: string } {
  const root = mkdtempSync(path.join(tmpdir(), "cxrlab-seeds-data-"));
  const groups = new Map<string, string>();
  for (const className of CLASSES) {
    const from = path.join(sharedPaths.sample(), className);
    mkdirSync(path.join(root, "Train", className), { recursive: true });
    for (const [i, file] of readdirSync(from).sort().slice(0, 6).entries()) {
      const to = path.join(root, "Train", className, file);
      copyFileSync(path.join(from, file), to);
      groups.set(to, `${className}-${i >> 1}`);
    }
  }
  const groupsFile = path.join(root, "GROUPS.tsv");
  const rows = [...groups].map(([file, group]) => `${path.relative(root, file)}\t${group}`);
  writeFileSync(groupsFile, `relative_path\tgroup\n${rows.join("\n")}\n`);
  return { dataDir: path.join(root, "Train"), groups, groupsFile };
}

describe("cxrlab train --seeds", () => {
  it("trains one run per seed, tagged together, and summarises their test accuracy", async () => {
    const { dataDir, groups, groupsFile } = groupedDataset();
    const out = mkdtempSync(path.join(tmpdir(), "cxrlab-seeds-runs-"));
    const result = await runCli([
      "train",
      "--data",
      dataDir,
      ...TINY,
      "--seeds",
      "3,1",
      "--out",
      out,
      "--json",
    ]);
    const summary = parseJson<SeedSummary>(result);
    expect(summary.tag).toMatch(/^seeds:\d{8}T\d{6}-[0-9a-f]{6}$/);
    expect(summary.runs.map((r) => [r.seed, r.status])).toEqual([
      [3, "succeeded"],
      [1, "succeeded"],
    ]);
    expect(new Set(summary.runs.map((r) => r.runDir)).size).toBe(2);

    // Both runs are in the store with their seed and the batch's tag, and the summary is theirs.
    const listed = await runsTagged(summary.tag);
    const bySeed = new Map(listed.map((r) => [r.seed, r]));
    expect(listed).toHaveLength(2);
    expect(summary.runs.map((r) => bySeed.get(r.seed)?.id)).toEqual(summary.runs.map((r) => r.runId));
    for (const run of listed) expect(run.tags).toEqual([summary.tag]);
    const accuracies = summary.runs.map((r) => bySeed.get(r.seed)!.testAccuracy!);
    expect(summary.runs.map((r) => r.accuracy)).toEqual(accuracies);
    const mean = (accuracies[0]! + accuracies[1]!) / 2;
    expect(summary.accuracy.runs).toBe(2);
    expect(summary.accuracy.mean).toBeCloseTo(mean, 12);
    // The sample sd of two values is |a - b| / sqrt(2).
    expect(summary.accuracy.sd).toBeCloseTo(Math.abs(accuracies[0]! - accuracies[1]!) / Math.SQRT2, 12);
    // 6 test images a run (one pair of each class), pooled over both seeds.
    expect(summary.pooled).toMatchObject({ predictions: 12, resamples: 2000, level: 0.95 });
    expect(summary.pooled!.accuracy.estimate).toBeCloseTo(mean, 12);
    expect(summary.pooled!.accuracy.lower!).toBeLessThanOrEqual(mean);
    expect(summary.pooled!.accuracy.upper!).toBeGreaterThanOrEqual(mean);

    // Each run split by the GROUPS.tsv pairs, and says so in run.json.
    for (const { runDir, seed } of summary.runs) {
      const status = JSON.parse(readFileSync(path.join(runDir, "run.json"), "utf8"));
      expect(status.splitGrouping).toEqual({ by: "patient", source: groupsFile, groups: 9, ungrouped: 0 });
      expect(JSON.parse(readFileSync(path.join(runDir, "config.json"), "utf8"))).toMatchObject({
        seed,
        split: { by: "auto" },
      });
      const tested = readFileSync(path.join(runDir, "predictions.csv"), "utf8").trim().split("\n").slice(1);
      const testGroups = new Set(tested.map((line) => groups.get(line.split(",")[0]!)));
      expect(tested).toHaveLength(6);
      expect(testGroups.size).toBe(3);
    }
  }, 600_000);
});

describe("cxrlab queue add --seeds", () => {
  it("queues one run and job per seed, tagged together", async () => {
    const queued = parseJson<{ tag: string; jobs: { seed: number; jobId: string; runId: number }[] }>(
      await runCli([
        "queue",
        "add",
        "--data",
        sharedPaths.sample(),
        ...TINY,
        "--seeds",
        "4,5",
        "--tag",
        "mine",
        "--json",
      ]),
    );
    expect(queued.tag).toMatch(/^seeds:/);
    expect(queued.jobs.map((j) => j.seed)).toEqual([4, 5]);
    const jobs = await inStore(async (store) => {
      const queue = await openQueue(store);
      try {
        return await queue.list();
      } finally {
        await queue.close();
      }
    });
    const ours = queued.jobs.map((q) => jobs.find((j) => j.id === q.jobId)!.job);
    expect(ours.map((j) => [j.kind, j.runId, j.kind === "train" && j.options.seed])).toEqual(
      queued.jobs.map((q) => ["train", q.runId, q.seed]),
    );
    for (const job of ours) expect(job.kind === "train" && job.options.tag).toEqual(["mine", queued.tag]);
    const listed = await runsTagged(queued.tag);
    expect(listed.map((r) => [r.id, r.seed, r.status, r.tags]).sort()).toEqual(
      queued.jobs.map((q) => [q.runId, q.seed, "queued", ["mine", queued.tag]]).sort(),
    );
  });
});
