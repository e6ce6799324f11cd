import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { resolveConfig } from "../presets.ts";
import { train } from "./trainer.ts";

// Two real images per class from the sample, ImageNet weights, 64px so the uncached path is cheap.
async function runSmall(cachePrefix: boolean) {
  const config = resolveConfig("reference", {
    seed: 7,
    preprocessing: { imageSize: 64 },
    augmentation: { zoomRange: 0 },
    split: { validationSplit: 0.25, mode: "stratified", testSplit: 0.25 },
    training: { epochs: 2, batchSize: 4, microBatchSize: 2, cachePrefix, dropRemainder: false },
  });
  const runDir = mkdtempSync(path.join(tmpdir(), `cxrlab-equiv-${cachePrefix}-`));
  return train({
    config,
    data: { dataDir: sharedPaths.sample(), limitPerClass: 8 },
    weights: sharedPaths.imagenetWeights(),
    runDir,
  });
}

describe("frozen-prefix caching", () => {
  it("gives the same training curve as training through the frozen layers", async () => {
    const cached = await runSmall(true);
    const direct = await runSmall(false);
    expect(cached.prefixCached).toBe(true);
    expect(direct.prefixCached).toBe(false);
    expect(cached.history).toHaveLength(2);
    for (const [a, b] of cached.history.map((h, i) => [h, direct.history[i]!] as const)) {
      expect(a.loss).toBeCloseTo(b.loss, 4);
      expect(a.accuracy).toBeCloseTo(b.accuracy, 6);
      expect(a.valLoss).toBeCloseTo(b.valLoss, 4);
    }
    // Training moved the weights: the two epochs differ.
    expect(cached.history[0]!.loss).not.toBeCloseTo(cached.history[1]!.loss, 4);
    expect(cached.evaluation!.accuracy).toBeCloseTo(direct.evaluation!.accuracy, 6);
  }, 300_000);

  it("is repeatable: the same seed gives the same run", async () => {
    const [a, b] = [await runSmall(true), await runSmall(true)];
    expect(b.history.map((h) => [h.loss, h.accuracy, h.valLoss])).toEqual(
      a.history.map((h) => [h.loss, h.accuracy, h.valLoss]),
    );
    expect(b.testPredictions).toEqual(a.testPredictions);
  }, 300_000);
});
