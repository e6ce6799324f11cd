import { describe, expect, it } from "vitest";
import { experimentConfigSchema, freezeUntilSchema } from "./config.ts";

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
});
