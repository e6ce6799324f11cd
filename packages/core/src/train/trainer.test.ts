import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EngineName } from "../inference/engine.ts";
import { sharedPaths } from "../paths.ts";
import { type PresetName, resolveConfig } from "../presets.ts";
import { writeRunArtifacts } from "../run/artifacts.ts";
import { train } from "./trainer.ts";

// Two real images per class from the sample, ImageNet weights, 64px so the uncached path is cheap.
async function runSmall(
  cachePrefix: boolean,
  { engine, preset = "reference" }: { engine?: EngineName; preset?: PresetName } = {},
) {
  const config = resolveConfig(preset, {
    seed: 7,
    preprocessing: { imageSize: 64 },
    augmentation: { zoomRange: 0 },
    split: { validationSplit: 0.25, mode: "stratified", testSplit: 0.25 },
    training: { epochs: 2, batchSize: 4, microBatchSize: 2, cachePrefix, dropRemainder: false },
  });
  const runDir = mkdtempSync(path.join(tmpdir(), `cxrlab-equiv-${cachePrefix}-`));
  const log: string[] = [];
  const outcome = await train({
    config,
    data: { dataDir: sharedPaths.sample(), limitPerClass: 8 },
    weights: sharedPaths.imagenetWeights(),
    runDir,
    log: (line) => log.push(line),
    ...(engine ? { engine } : {}),
  });
  return { ...outcome, log };
}

function expectSameCurves(a: Awaited<ReturnType<typeof runSmall>>, b: Awaited<ReturnType<typeof runSmall>>) {
  expect(a.history).toHaveLength(b.history.length);
  for (const [x, y] of a.history.map((h, i) => [h, b.history[i]!] as const)) {
    expect(x.loss).toBeCloseTo(y.loss, 4);
    expect(x.accuracy).toBeCloseTo(y.accuracy, 6);
    expect(x.valLoss).toBeCloseTo(y.valLoss, 4);
  }
  expect(a.evaluation!.accuracy).toBeCloseTo(b.evaluation!.accuracy, 6);
}

describe("frozen-prefix caching", () => {
  it("gives the same training curve as training through the frozen layers", async () => {
    // tfjs runs the prefix too: the same kernels, so caching alone is what is compared.
    const cached = await runSmall(true, { engine: "tfjs" });
    const direct = await runSmall(false);
    expect(cached.prefixCached).toBe(true);
    expect(direct.prefixCached).toBe(false);
    expect(cached.history).toHaveLength(2);
    expectSameCurves(cached, direct);
    // Training moved the weights: the two epochs differ.
    expect(cached.history[0]!.loss).not.toBeCloseTo(cached.history[1]!.loss, 4);
  }, 300_000);

  it("gives the same curve whether onnxruntime or tfjs runs the prefix", async () => {
    // The recommended recipe: the reference one's SGD at 0.1 saturates this tiny run's softmax
    // at once, where float32 rounding differences of the prefix grow into the 4th decimal.
    const onnx = await runSmall(true, { engine: "onnx", preset: "recommended" });
    const tfjs = await runSmall(true, { engine: "tfjs", preset: "recommended" });
    expect(onnx.log).toContainEqual(
      expect.stringMatching(/^prefix engine: onnxruntime .* cpu, \d+ threads?$/),
    );
    expect(tfjs.log).toContainEqual(expect.stringMatching(/^prefix engine: tfjs /));
    expectSameCurves(onnx, tfjs);
  }, 300_000);

  it("is repeatable: the same seed gives the same run", async () => {
    const [a, b] = [await runSmall(true), await runSmall(true)];
    expect(b.history.map((h) => [h.loss, h.accuracy, h.valLoss])).toEqual(
      a.history.map((h) => [h.loss, h.accuracy, h.valLoss]),
    );
    expect(b.testPredictions).toEqual(a.testPredictions);
    // The test metrics' bootstrap intervals are seeded by the run's seed, so they repeat too.
    expect(a.intervals).toMatchObject({ seed: 7, resamples: 2000, grouping: { by: "image", units: 6 } });
    expect(b.intervals).toEqual(a.intervals);
    const files = await writeRunArtifacts(a);
    expect(readFileSync(files.report!, "utf8")).toMatch(
      /^accuracy \d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\] \(95% bootstrap CI, 2000 resamples, seed 7, resampled per image \(6 images\)\)$/m,
    );
    expect(JSON.parse(readFileSync(files.metrics!, "utf8")).intervals).toEqual(a.intervals);
  }, 300_000);
});
