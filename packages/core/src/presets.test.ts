import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { isPresetName, PRESET_NAMES, resolveConfig } from "./presets.ts";

describe("resolveConfig", () => {
  it('gives the reference notebook\'s settings for "reference"', () => {
    const config = resolveConfig("reference");
    expect(config).toMatchObject({
      architecture: "densenet169",
      preprocessing: { imageSize: 256, resize: "nearest", rescale: 1 / 255, normalization: "none" },
      augmentation: { zoomRange: 0.07, horizontalFlip: false, augmentValidation: true },
      split: { validationSplit: 0.08, mode: "keras" },
      head: { denseUnits: [512, 64], dropout: 0.3 },
      training: {
        epochs: 10,
        batchSize: 32,
        freezeUntil: 369,
        optimizer: { type: "sgd", learningRate: 0.1, momentum: 0, nesterov: false },
        dropRemainder: true,
        checkpointMonitor: "val_loss",
        // Keras trains unfrozen BatchNormalization layers on batch statistics.
        batchNormStatistics: "batch",
        // None of the later training ingredients.
        schedule: { warmupEpochs: 0, decay: "constant" },
        labelSmoothing: 0,
        weightAverage: 0,
      },
    });
  });

  it("resolves every preset to a valid config", () => {
    expect(PRESET_NAMES).toEqual(["reference", "recommended", "quick"]);
    for (const name of PRESET_NAMES) {
      const config = resolveConfig(name);
      expect(config.name).toBe(name);
      expect(config.preset).toBe(name);
    }
  });

  it("splits recommended and quick by patient when patient IDs or GROUPS.tsv are found, reference by image", () => {
    expect(resolveConfig("reference").split.by).toBe("image");
    expect(resolveConfig("recommended").split).toEqual({
      validationSplit: 0.1,
      mode: "stratified",
      testSplit: 0.25,
      by: "auto",
    });
    expect(resolveConfig("quick").split).toEqual({
      validationSplit: 0.15,
      mode: "stratified",
      testSplit: 0.25,
      by: "auto",
    });
  });

  it("merges nested overrides into the preset, keeping the settings they do not name", () => {
    const config = resolveConfig("reference", {
      seed: 3,
      preprocessing: { imageSize: 64 },
      head: { denseUnits: [16] },
      training: { epochs: undefined, optimizer: { learningRate: 0.01 } },
    });
    expect(config.seed).toBe(3);
    expect(config.preprocessing).toEqual({
      imageSize: 64,
      resize: "nearest",
      rescale: 1 / 255,
      normalization: "none",
    });
    // Arrays are replaced, not merged.
    expect(config.head).toEqual({ denseUnits: [16], dropout: 0.3 });
    expect(config.training.epochs).toBe(10);
    expect(config.training.batchSize).toBe(32);
    expect(config.training.optimizer).toEqual({
      type: "sgd",
      learningRate: 0.01,
      momentum: 0,
      nesterov: false,
      weightDecay: 0,
      beta1: 0.9,
      beta2: 0.999,
    });
    // The preset itself is untouched.
    expect(resolveConfig("reference").preprocessing.imageSize).toBe(256);
    expect(resolveConfig("reference").training.optimizer.learningRate).toBe(0.1);
  });

  it("validates the merged config, naming the bad setting", () => {
    const bad = () => resolveConfig("recommended", { training: { optimizer: { learningRate: -0.1 } } });
    expect(bad).toThrow(ZodError);
    try {
      bad();
    } catch (err) {
      expect((err as ZodError).issues[0]!.path).toEqual(["training", "optimizer", "learningRate"]);
    }
    expect(() => resolveConfig("quick", { preprocessing: { imageSize: 8 } })).toThrow(ZodError);
    expect(() => resolveConfig("quick", { training: { freezeUntil: -1 } })).toThrow(ZodError);
  });
});

describe("isPresetName", () => {
  it("accepts the presets only, not inherited object keys", () => {
    expect(isPresetName("quick")).toBe(true);
    expect(isPresetName("custom")).toBe(false);
    expect(isPresetName("constructor")).toBe(false);
  });
});
