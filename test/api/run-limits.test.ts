/**
 * Issue 17, finding 14: a run's settings are bounded wherever a run can be asked for: the tRPC
 * runs.create input and a queued job (the CLI's flags and core's config schema are tested beside them).
 */
import { ZCreateRunInput } from "@cxrlab/api";
import { configFromOverrides } from "@cxrlab/core/train-overrides";
import { trainJobSchema } from "@cxrlab/queue";
import { describe, expect, it } from "vitest";

const base = { preset: "quick", projectId: 1, data: "/data/Train" };
const job = (options: Record<string, unknown>) =>
  trainJobSchema.safeParse({ kind: "train", runId: 1, options: { preset: "quick", data: "/d", ...options } });

describe("run setting bounds", () => {
  it("runs.create refuses epochs, batch size, learning rate, image size and views beyond the config's bounds", () => {
    expect(ZCreateRunInput.safeParse({ ...base, epochs: 1000, batchSize: 1024, lr: 10 }).success).toBe(true);
    for (const bad of [
      { epochs: 1001 },
      { batchSize: 1025 },
      { lr: 10.5 },
      { imageSize: 4096 },
      { views: 65 },
      { limitPerClass: 10_000_001 },
      { name: "x".repeat(201) },
    ]) {
      const result = ZCreateRunInput.safeParse({ ...base, ...bad });
      expect(result.success, JSON.stringify(bad).slice(0, 60)).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(Object.keys(bad));
    }
  });

  it("a queued train job refuses them too (microBatchSize included)", () => {
    expect(job({ epochs: 1000, microBatchSize: 1024 }).success).toBe(true);
    for (const bad of [{ epochs: 100_000 }, { batchSize: 5000 }, { microBatchSize: 1025 }, { lr: 1e6 }]) {
      expect(job(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("the job, runs.create and the config schema take one set of bounds (trainOverridesSchema)", () => {
    // Once drifted: momentum <= 1 vs <= 0.999, validationSplit <= 1 vs <= 0.5, imageSize > 0 vs 32..1024.
    for (const bad of [{ momentum: 1 }, { validationSplit: 0.6 }, { testSplit: 0.9 }, { imageSize: 16 }]) {
      expect(job(bad).success, JSON.stringify(bad)).toBe(false);
      expect(() => configFromOverrides("quick", bad), JSON.stringify(bad)).toThrow();
    }
    expect(job({ momentum: 0.999, validationSplit: 0.5, imageSize: 32 }).success).toBe(true);
    expect(ZCreateRunInput.safeParse({ ...base, imageSize: 16 }).error?.issues[0]?.path).toEqual([
      "imageSize",
    ]);
  });
});
