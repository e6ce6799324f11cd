import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { resolveConfig } from "./presets.ts";
import { configFromOverrides, overrideValues } from "./train-overrides.ts";

describe("configFromOverrides", () => {
  it("puts every flat option where the config keeps it and leaves the rest to the preset", () => {
    const config = configFromOverrides("quick", {
      name: "tiny",
      seed: 7,
      imageSize: 64,
      views: 1,
      validationSplit: 0.2,
      testSplit: 0.3,
      splitBy: "patient",
      epochs: 2,
      batchSize: 4,
      microBatchSize: 2,
      freezeUntil: "all",
      cachePrefix: false,
      lr: 0.01,
      momentum: 0.5,
    });
    expect(config).toEqual(
      resolveConfig("quick", {
        name: "tiny",
        seed: 7,
        preprocessing: { imageSize: 64 },
        augmentation: { cachedViews: 1 },
        split: { validationSplit: 0.2, testSplit: 0.3, by: "patient" },
        training: {
          epochs: 2,
          batchSize: 4,
          microBatchSize: 2,
          freezeUntil: "all",
          cachePrefix: false,
          optimizer: { learningRate: 0.01, momentum: 0.5 },
        },
      }),
    );
    // Untouched settings keep the preset's values.
    expect(config.preprocessing.normalization).toBe("imagenet");
    expect(configFromOverrides("reference", {})).toEqual(resolveConfig("reference"));
  });

  it("names the option, not the config path, when the config schema refuses a value", () => {
    let error: unknown;
    try {
      configFromOverrides("quick", { imageSize: 4096, lr: 0.1, momentum: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ZodError);
    const paths = (error as ZodError).issues.map((i) => i.path.join("."));
    expect(paths.sort()).toEqual(["imageSize", "momentum"]);
  });

  it("refuses an unknown preset by name", () => {
    expect(() => configFromOverrides("fast", {})).toThrow(/unknown preset fast: expected one of reference/);
  });

  it("reads every option back from a config, so building and reading cannot disagree", () => {
    const options = {
      name: "n",
      seed: 3,
      imageSize: 96,
      views: 2,
      epochs: 4,
      lr: 0.02,
      freezeUntil: 0,
    } as const;
    const values = overrideValues(configFromOverrides("recommended", options));
    expect(values).toMatchObject(options);
    expect(overrideValues(resolveConfig("quick"))).toMatchObject({
      imageSize: 128,
      epochs: 15,
      batchSize: 8,
      splitBy: "auto",
    });
  });
});
