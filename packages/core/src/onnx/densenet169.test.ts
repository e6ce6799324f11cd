import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { type ImageRecord, listImageDirectory } from "../data/index.ts";
import { createForwardEngine, type ForwardEngine } from "../inference/engine.ts";
import { buildDenseNet } from "../model/densenet.ts";
import { seededInitialize } from "../model/init.ts";
import { sliceModelUntil } from "../model/slice.ts";
import { sharedPaths } from "../paths.ts";
import { resolveConfig } from "../presets.ts";
import { createRng } from "../random.ts";
import { computeFeatures } from "../train/features.ts";
import { createInputLoader, type InputLoader } from "../train/inputs.ts";
import { applyImageNetWeights, loadWeightSource } from "../weights/index.ts";

/**
 * The reference job's network (DenseNet169 with the ImageNet weights and a seeded head) on real
 * X-rays: onnxruntime must give tfjs' probabilities and frozen-prefix features.
 */
describe("DenseNet169 on onnxruntime vs tfjs, real weights and X-rays", () => {
  const config = resolveConfig("reference");
  let cache: string;
  let model: tf.LayersModel;
  let records: ImageRecord[];
  let loader: InputLoader;

  beforeAll(async () => {
    await selectBackend("wasm");
    cache = mkdtempSync(path.join(os.tmpdir(), "cxrlab-onnx169-"));
    model = buildDenseNet({
      architecture: "densenet169",
      imageSize: config.preprocessing.imageSize,
      numClasses: 3,
      head: config.head,
    });
    seededInitialize(model, createRng(5));
    applyImageNetWeights(model, await loadWeightSource(sharedPaths.imagenetWeights()));
    const sample = await listImageDirectory(sharedPaths.sample());
    // One image per class.
    records = [0, 1, 2].map((label) => sample.records.find((r) => r.label === label)!);
    loader = createInputLoader({ preprocessing: config.preprocessing, augmentation: config.augmentation });
  });
  afterAll(() => {
    model.dispose();
    rmSync(cache, { recursive: true, force: true });
  });

  async function outputs(engine: ForwardEngine, batchSize: number): Promise<Float32Array> {
    const parts: number[] = [];
    for await (const { x } of loader.batches(records, batchSize)) {
      parts.push(...(await engine.run(x)));
      x.dispose();
    }
    return Float32Array.from(parts);
  }

  it("gives the same probabilities at batch 1 and 3", async () => {
    const onnx = await createForwardEngine(model, { engine: "onnx", cacheDir: cache });
    const tfjs = await createForwardEngine(model, { engine: "tfjs" });
    const expected = await outputs(tfjs, 3);
    // Informative probabilities, not a flat 1/3 everywhere.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.01);
    for (const batch of [1, 3]) {
      const actual = await outputs(onnx, batch);
      expect(actual.length).toBe(9);
      const diff = Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!)));
      expect(diff).toBeLessThanOrEqual(1e-4);
    }
    await onnx.dispose();
  });

  it("caches the same frozen-prefix features (pool4, 8x8x640)", async () => {
    const prefix = sliceModelUntil(model, 369);
    const options = { views: 1, augment: false, rng: createRng(1), batchSize: 2 };
    const onnx = await createForwardEngine(prefix, { engine: "onnx", cacheDir: cache });
    const byOnnx = await computeFeatures(onnx, records, loader, options);
    const byTfjs = await computeFeatures(
      await createForwardEngine(prefix, { engine: "tfjs" }),
      records,
      loader,
      options,
    );
    await onnx.dispose();
    expect(byOnnx.shape).toEqual([8, 8, 640]);
    expect(byOnnx.shape).toEqual(byTfjs.shape);
    const [a, b] = [byOnnx.views[0]!, byTfjs.views[0]!];
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    expect(scale).toBeGreaterThan(0.1);
    expect(diff / scale).toBeLessThanOrEqual(1e-5);
  });
});
