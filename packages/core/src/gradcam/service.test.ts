import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { sha256File } from "../data/file-info.ts";
import { loadModelForInference, type ModelForInference } from "../inference/load.ts";
import { saveModel } from "../model/io.ts";
import { gradCamCacheDir, gradCamCachePath } from "./cache.ts";
import { gradCam } from "./compute.ts";
import { createGradCamService, type GradCamService } from "./service.ts";
import { imagenetDenseNet, sampleXrays, testModelMeta } from "./test-model.ts";

const SIZE = 64;
const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-gradcam-"));
const cacheDir = path.join(tmp, "cache");
const [covid, normal] = sampleXrays(1);
let loaded: ModelForInference;
let service: GradCamService;

/** Saves an ImageNet DenseNet169 whose head is initialised from `seed` and loads it back. */
async function savedModel(name: string, seed: number): Promise<ModelForInference> {
  const model = await imagenetDenseNet(SIZE, seed);
  await saveModel(path.join(tmp, name, "model"), model, testModelMeta(SIZE));
  model.dispose();
  return loadModelForInference(path.join(tmp, name));
}

describe("the Grad-CAM service and its disk cache", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
    loaded = await savedModel("run-a", 7);
    service = await createGradCamService(loaded, { cacheDir });
  });
  afterAll(async () => {
    await service?.dispose();
    loaded?.model.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("renders a PNG once and serves it from the cache afterwards", async () => {
    const first = await service.png(covid!, { target: "predicted", kind: "heatmap" });
    expect(first.cached).toBe(false);
    expect(first.path.startsWith(cacheDir)).toBe(true);
    expect(readFileSync(first.path)).toEqual(first.png);
    const meta = await sharp(first.png).metadata();
    expect(meta).toMatchObject({ width: SIZE, height: SIZE, channels: 4, hasAlpha: true });

    const again = await service.png(covid!, { target: "predicted", kind: "heatmap" });
    expect(again).toMatchObject({ cached: true, path: first.path, classIndex: first.classIndex });
    // The explicit index of the predicted class shares the file.
    const byIndex = await service.png(covid!, { target: first.classIndex, kind: "heatmap" });
    expect(byIndex).toMatchObject({ cached: true, path: first.path });
    expect(first.className).toBe(loaded.meta.classNames[first.classIndex]);
  });

  it("keys files by class, kind, size and opacity", async () => {
    const other = (first: number) => (first + 1) % 3;
    const top = await service.png(normal!, { target: "predicted", kind: "overlay" });
    const paths = new Set([
      top.path,
      (await service.png(normal!, { target: other(top.classIndex), kind: "overlay" })).path,
      (await service.png(normal!, { target: top.classIndex, kind: "overlay", opacity: 0.8 })).path,
      (await service.png(normal!, { target: top.classIndex, kind: "overlay", size: 100 })).path,
      (await service.png(normal!, { target: top.classIndex, kind: "heatmap" })).path,
      (await service.png(covid!, { target: top.classIndex, kind: "overlay" })).path,
    ]);
    expect(paths.size).toBe(6);
    const big = await service.png(normal!, { target: top.classIndex, kind: "overlay", size: 100 });
    expect(await sharp(big.png).metadata()).toMatchObject({ width: 100, height: 100, channels: 3 });
  });

  it("caches the map itself: what explain returns is what gradCam computes, then the stored copy", async () => {
    const stored = await service.explain(normal!, 2);
    const pixels = await loaded.loader.load({ path: normal!, label: -1, className: "" });
    const x = tf.tensor4d(pixels, [1, SIZE, SIZE, 3]);
    const [direct] = await gradCam(loaded.model, x, 2);
    x.dispose();
    // The service runs the backbone on onnxruntime (when it loads), gradCam here on tfjs.
    const gap = stored.heatmap.reduce((m, v, i) => Math.max(m, Math.abs(v - direct!.heatmap[i]!)), 0);
    expect(stored.heatmap).toHaveLength(direct!.heatmap.length);
    expect(gap).toBeLessThan(1e-4);
    expect(stored.probability).toBeCloseTo(direct!.probability, 4);

    // A second request reads the file (tampered with here), it does not recompute.
    const key = { modelId: service.modelId, imageSha256: await sha256File(normal!), target: 2 };
    const file = gradCamCachePath(cacheDir, key, "gradcam.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...json, probability: 0.123 }));
    expect((await service.explain(normal!, 2)).probability).toBe(0.123);
    writeFileSync(file, "{not json");
    await expect(service.explain(normal!, 2)).rejects.toThrow(
      `Grad-CAM cache file ${file} is not valid JSON`,
    );
  });

  it("never serves one model's maps for another", async () => {
    const other = await savedModel("run-b", 8);
    const otherService = await createGradCamService(other, { cacheDir });
    expect(otherService.modelId).not.toBe(service.modelId);
    const a = await service.png(covid!, { target: 0, kind: "heatmap" });
    const b = await otherService.png(covid!, { target: 0, kind: "heatmap" });
    expect(b.cached).toBe(false);
    expect(b.path).not.toBe(a.path);
    await otherService.dispose();
    other.model.dispose();
  });

  it("explains bad requests and honours CXRLAB_CACHE", async () => {
    await expect(service.png(covid!, { target: 3, kind: "heatmap" })).rejects.toThrow(
      "class index 3 is not in 0..2 (COVID, Normal, Viral Pneumonia)",
    );
    const missing = path.join(tmp, "missing.png");
    await expect(service.png(missing, { target: 0, kind: "heatmap" })).rejects.toThrow(
      `cannot read image ${missing}: file not found`,
    );
    const saved = process.env.CXRLAB_CACHE;
    process.env.CXRLAB_CACHE = path.join(tmp, "elsewhere");
    try {
      expect(gradCamCacheDir()).toBe(path.join(tmp, "elsewhere", "gradcam"));
    } finally {
      if (saved === undefined) delete process.env.CXRLAB_CACHE;
      else process.env.CXRLAB_CACHE = saved;
    }
  });
});
