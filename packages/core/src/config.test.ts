import { describe, expect, it } from "vitest";
import { experimentConfigSchema, freezeUntilSchema } from "./config.ts";
import { PRESET_NAMES, resolveConfig } from "./presets.ts";

describe("experimentConfigSchema", () => {
  it("fills every section with its defaults", () => {
    const config = experimentConfigSchema.parse({});
    expect(config).toMatchObject({
      architecture: "densenet169",
      seed: 42,
      preprocessing: { imageSize: 256, normalization: "none" },
      training: {
        cachePrefix: true,
        optimizer: { type: "sgd", learningRate: 0.1, momentum: 0 },
      },
    });
    expect(experimentConfigSchema.parse({ training: { epochs: 2 } }).training.batchSize).toBe(32);
    // Left to the trainer, which picks what fits the heap for the path it takes.
    expect(config.training.microBatchSize).toBeUndefined();
  });

  it("accepts a layer count or `all` for freezeUntil, nothing else", () => {
    expect(freezeUntilSchema.parse(0)).toBe(0);
    expect(freezeUntilSchema.parse("all")).toBe("all");
    for (const bad of [-1, 2.5, "none"]) expect(freezeUntilSchema.safeParse(bad).success).toBe(false);
  });

  it("rejects out-of-range values", () => {
    for (const bad of [
      { architecture: "densenet100" },
      { training: { optimizer: { momentum: 1 } } },
      { split: { validationSplit: 0.6 } },
      { head: { denseUnits: [0] } },
    ]) {
      expect(experimentConfigSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("bounds the settings that size a run's work, and every preset stays within them", () => {
    for (const bad of [
      { training: { epochs: 1001 } },
      { training: { batchSize: 1025 } },
      { training: { microBatchSize: 1025 } },
      { training: { optimizer: { learningRate: 11 } } },
      { training: { freezeUntil: 100_001 } },
      { head: { denseUnits: [8193] } },
      { head: { denseUnits: Array.from({ length: 9 }, () => 8) } },
      { augmentation: { cachedViews: 65 } },
      { name: "x".repeat(201) },
      { seed: 2 ** 32 },
    ]) {
      expect(experimentConfigSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 80)).toBe(false);
    }
    const edge = experimentConfigSchema.parse({
      training: { epochs: 1000, batchSize: 1024, microBatchSize: 1024, optimizer: { learningRate: 10 } },
      head: { denseUnits: Array.from({ length: 8 }, () => 8192) },
    });
    expect(edge.training.epochs).toBe(1000);
    for (const preset of PRESET_NAMES) expect(() => resolveConfig(preset)).not.toThrow();
  });
});
