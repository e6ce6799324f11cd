import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatSeedSummary, type SeedRun, summarizeSeeds } from "./seed-summary.ts";

/** A run whose test predictions are right for the images listed in `right`. */
function run(seed: number, paths: string[], right: readonly number[]): SeedRun {
  const testPredictions = paths.map((p, i) => ({ path: p, label: 0, predicted: right.includes(i) ? 0 : 1 }));
  return {
    seed,
    runId: seed + 10,
    runDir: `/runs/${seed}`,
    status: "succeeded",
    accuracy: right.length / paths.length,
    testPredictions,
  };
}

describe("summarizeSeeds", () => {
  const root = mkdtempSync(path.join(tmpdir(), "cxrlab-seeds-"));
  const images = Array.from({ length: 10 }, (_, i) => path.join(root, "Test", "A", `${i}.png`));

  it("gives the mean and sample sd of the accuracies and the pooled accuracy's bootstrap interval", async () => {
    const runs = [
      run(1, images, [0, 1, 2, 3, 4, 5, 6, 7]),
      run(2, images, [0, 1, 2, 3, 4, 5]),
      run(3, images, [0, 1, 2, 3, 4, 5, 6]),
    ];
    const summary = await summarizeSeeds("seeds:x", runs, { resamples: 500, seed: 3 });
    expect(summary.tag).toBe("seeds:x");
    expect(summary.runs).toEqual(runs.map(({ testPredictions: _, ...r }) => r));
    expect(summary.accuracy.runs).toBe(3);
    expect(summary.accuracy.mean).toBeCloseTo(0.7, 12);
    // Deviations 0.1, -0.1, 0: sqrt(0.02 / 2).
    expect(summary.accuracy.sd).toBeCloseTo(0.1, 12);
    const pooled = summary.pooled!;
    expect(pooled.accuracy.estimate).toBeCloseTo(21 / 30, 12);
    expect(pooled.accuracy.lower!).toBeLessThan(0.7);
    expect(pooled.accuracy.upper!).toBeGreaterThan(0.7);
    expect(pooled).toMatchObject({ predictions: 30, images: 10, resamples: 500, seed: 3, level: 0.95 });
    // The unit is the test image, with all three seeds' predictions of it.
    expect(pooled.grouping).toEqual({ by: "group", source: "test image", units: 10, ungrouped: 0 });
    expect(await summarizeSeeds("seeds:x", runs, { resamples: 500, seed: 3 })).toEqual(summary);

    const text = formatSeedSummary(summary).join("\n");
    expect(text).toContain("3 seed(s), runs tagged seeds:x:");
    expect(text).toMatch(/\n\s+2\s+12\s+succeeded\s+60\.000%\s+\/runs\/2\n/);
    expect(text).toContain("mean 70.000% ± sd 10.000%");
    expect(text).toMatch(
      /pooled accuracy 0\.70000 \[0\.\d+, 0\.\d+\] \(30 predictions of 10 test images; 95% bootstrap CI, 500 resamples, seed 3/,
    );
  });

  it("resamples the GROUPS.tsv groups of the test images when they are listed", async () => {
    writeFileSync(
      path.join(root, "GROUPS.tsv"),
      `relative_path\tgroup\n${images.map((p, i) => `${path.relative(root, p)}\tg${i >> 1}`).join("\n")}\n`,
    );
    const summary = await summarizeSeeds("seeds:y", [run(1, images, [0]), run(2, images, [1, 2])], {
      resamples: 100,
    });
    expect(summary.pooled!.grouping).toEqual({
      by: "group",
      source: `test image groups of ${path.join(root, "GROUPS.tsv")}`,
      units: 5,
      ungrouped: 0,
    });
  });

  it("leaves out runs without a test accuracy and has no sd for one run, no interval without predictions", async () => {
    const interrupted: SeedRun = { ...run(2, [], []), status: "interrupted", accuracy: null };
    const summary = await summarizeSeeds("seeds:z", [run(1, images.slice(0, 4), [0, 1, 2]), interrupted]);
    expect(summary.accuracy).toEqual({ runs: 1, mean: 0.75, sd: null });
    expect(summary.pooled!.predictions).toBe(4);
    expect((await summarizeSeeds("seeds:z", [interrupted])).pooled).toBeNull();
    expect(formatSeedSummary(await summarizeSeeds("seeds:z", [interrupted]))).toContain(
      "pooled accuracy: n/a (no test predictions)",
    );
  });
});
