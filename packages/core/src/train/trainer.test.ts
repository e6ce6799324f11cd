import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentConfigInput } from "../config.ts";
import type { EngineName } from "../inference/engine.ts";
import { sharedPaths } from "../paths.ts";
import { type PresetName, resolveConfig } from "../presets.ts";
import { writeRunArtifacts } from "../run/artifacts.ts";
import { type TrainOptions, train } from "./trainer.ts";

// Two real images per class from the sample, ImageNet weights, 64px so the uncached path is cheap.
async function runSmall(
  cachePrefix: boolean,
  {
    engine,
    preset = "reference",
    training,
    ...more
  }: {
    engine?: EngineName;
    preset?: PresetName;
    training?: ExperimentConfigInput["training"];
  } & Partial<Pick<TrainOptions, "runDir" | "resume" | "signal" | "onEpoch">> = {},
) {
  const config = resolveConfig(preset, {
    seed: 7,
    preprocessing: { imageSize: 64 },
    augmentation: { zoomRange: 0 },
    split: { validationSplit: 0.25, mode: "stratified", testSplit: 0.25 },
    training: { epochs: 2, batchSize: 4, microBatchSize: 2, cachePrefix, dropRemainder: false, ...training },
  });
  const runDir = more.runDir ?? mkdtempSync(path.join(tmpdir(), `cxrlab-equiv-${cachePrefix}-`));
  const log: string[] = [];
  const outcome = await train({
    config,
    data: { dataDir: sharedPaths.sample(), limitPerClass: 8 },
    weights: sharedPaths.imagenetWeights(),
    ...more,
    runDir,
    log: (line) => log.push(line),
    ...(engine ? { engine } : {}),
  });
  return { ...outcome, log };
}

/** The same curves: losses to `digits` decimals, accuracies exactly. */
function expectSameCurves(
  a: Awaited<ReturnType<typeof runSmall>>,
  b: Awaited<ReturnType<typeof runSmall>>,
  digits = 4,
) {
  expect(a.history).toHaveLength(b.history.length);
  for (const [x, y] of a.history.map((h, i) => [h, b.history[i]!] as const)) {
    expect(x.loss).toBeCloseTo(y.loss, digits);
    expect(x.accuracy).toBeCloseTo(y.accuracy, 6);
    expect(x.valLoss).toBeCloseTo(y.valLoss, digits);
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

  it("gives the same curve whether onnxruntime or tfjs runs the prefix and the training steps", async () => {
    // A gentle step: a larger one saturates this tiny run's softmax within a few steps, where the
    // engines' float32 rounding differences (batch norm folded into the convolutions on
    // onnxruntime) grow into the 3rd decimal of the loss.
    const training = { optimizer: { learningRate: 1e-4 } };
    const onnx = await runSmall(true, { engine: "onnx", preset: "recommended", training });
    const tfjs = await runSmall(true, { engine: "tfjs", preset: "recommended", training });
    expect(onnx.log).toContainEqual(
      expect.stringMatching(/^prefix engine: onnxruntime .* cpu, \d+ threads?$/),
    );
    expect(tfjs.log).toContainEqual(expect.stringMatching(/^prefix engine: tfjs /));
    expect(onnx.log).toContainEqual(
      expect.stringMatching(/^train engine: onnxruntime .* cpu, \d+ threads?$/),
    );
    expect(tfjs.log).toContainEqual(expect.stringMatching(/^train engine: tfjs \w+ \(asked for\)$/));
    expect(onnx.trainEngine).toMatch(/^onnxruntime .* cpu, \d+ threads?$/);
    expect(tfjs.trainEngine).toMatch(/^tfjs \w+$/);
    expectSameCurves(onnx, tfjs);

    // CXRLAB_TRAIN_ENGINE moves only the training steps: the prefix stays on onnxruntime.
    process.env.CXRLAB_TRAIN_ENGINE = "tfjs";
    const mixed = await runSmall(true, { preset: "recommended", training }).finally(() => {
      delete process.env.CXRLAB_TRAIN_ENGINE;
    });
    expect(mixed.log).toContainEqual(
      expect.stringMatching(/^prefix engine: onnxruntime .* cpu, \d+ threads?$/),
    );
    expect(mixed.trainEngine).toMatch(/^tfjs \w+$/);
    expectSameCurves(mixed, onnx);
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

describe("training ingredients", () => {
  // AdamW with decay, warm-up then cosine, label smoothing, weight averaging, the last epoch kept.
  const training: ExperimentConfigInput["training"] = {
    epochs: 3,
    optimizer: { type: "adamw", learningRate: 1e-3, weightDecay: 0.05 },
    schedule: { warmupEpochs: 1, decay: "cosine" },
    labelSmoothing: 0.1,
    weightAverage: 0.9,
    checkpointMonitor: "last",
  };

  it("keep the last epoch's averaged weights, and an interrupted run resumes to the same result", async () => {
    const straight = await runSmall(true, { engine: "tfjs", training });
    expect(straight.status).toBe("succeeded");
    expect(straight.bestEpoch).toBe(3);

    const runDir = mkdtempSync(path.join(tmpdir(), "cxrlab-resume-"));
    const controller = new AbortController();
    const first = await runSmall(true, {
      engine: "tfjs",
      training,
      runDir,
      signal: controller.signal,
      onEpoch: (record) => {
        if (record.epoch === 1) controller.abort();
      },
    });
    expect(first.status).toBe("interrupted");
    expect(first.history).toHaveLength(1);
    const resumed = await runSmall(true, { engine: "tfjs", training, runDir, resume: true });
    expect(resumed.status).toBe("succeeded");
    expectSameCurves(resumed, straight);
    for (const [i, p] of resumed.testPredictions.entries()) {
      for (const [k, v] of p.probabilities.entries())
        expect(v).toBeCloseTo(straight.testPredictions[i]!.probabilities[k]!, 4);
    }
  }, 300_000);
});

describe("temperature calibration", () => {
  it("fits one temperature on validation, folds it into the saved model and changes no prediction's class", async () => {
    const plain = await runSmall(true, { engine: "tfjs" });
    const calibrated = await runSmall(true, { engine: "tfjs", training: { calibration: "temperature" } });
    expect(plain.temperature).toBeNull();
    const t = calibrated.temperature!;
    expect(t).toBeGreaterThan(0);
    expect(calibrated.log.some((line) => line.startsWith(`calibrated: temperature ${t.toFixed(3)}`))).toBe(
      true,
    );
    expect(calibrated.evaluation!.accuracy).toBe(plain.evaluation!.accuracy);
    for (const [i, p] of calibrated.testPredictions.entries()) {
      const raw = plain.testPredictions[i]!.probabilities.map((v) => Math.exp(Math.log(v) / t));
      const sum = raw.reduce((a, b) => a + b, 0);
      for (const [k, v] of p.probabilities.entries()) expect(v).toBeCloseTo(raw[k]! / sum, 4);
      expect(p.predicted).toBe(plain.testPredictions[i]!.predicted);
    }
    const meta = JSON.parse(readFileSync(path.join(calibrated.modelDir!, "cxrlab-model.json"), "utf8"));
    expect(meta.temperature).toBe(t);
  }, 300_000);
});
