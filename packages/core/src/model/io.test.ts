import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { experimentConfigSchema } from "../config.ts";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { buildDenseNet } from "./densenet.ts";
import { loadModel, META_JSON, type SaveModelMeta, saveModel } from "./io.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-io-"));
const config = experimentConfigSchema.parse({
  architecture: "densenet121",
  preprocessing: { imageSize: 32, normalization: "featurewise" },
  head: { denseUnits: [8] },
});
const meta: SaveModelMeta = {
  architecture: "densenet121",
  imageSize: 32,
  classNames: [...CXR_CLASS_NAMES],
  preprocessing: config.preprocessing,
  featurewiseMean: new Float32Array([0.5, 0.25, 0.125]),
  freezeUntil: 369,
  config,
};
const build = () =>
  buildDenseNet({ architecture: "densenet121", imageSize: 32, numClasses: 3, head: config.head });

describe("saveModel / loadModel", () => {
  beforeAll(() => selectBackend("wasm"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("loads back the same network, weights and metadata", async () => {
    const dir = path.join(tmp, "model");
    const model = build();
    model.layers.slice(0, 10).forEach((l) => {
      l.trainable = false;
    });
    const saved = await saveModel(dir, model, meta);
    expect(["model.json", "weights.bin", META_JSON].every((f) => existsSync(path.join(dir, f)))).toBe(true);
    expect(saved.backend).toBe("wasm");

    const { model: loaded, meta: loadedMeta } = await loadModel(dir);
    expect(loadedMeta).toEqual(saved);
    expect(loadedMeta.featurewiseMean).toEqual([0.5, 0.25, 0.125]);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(loaded.layers.map((l) => l.trainable)).toEqual(model.layers.map((l) => l.trainable));

    const x = tf.randomUniform([2, 32, 32, 3], -2, 2, "float32", 3);
    const [a, b] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
    expect(b!.dataSync()).toEqual(a!.dataSync());
    tf.dispose([x, a!, b!]);
    model.dispose();
    loaded.dispose();
  });

  it("refuses metadata that does not fit the model", async () => {
    const model = build();
    await expect(
      saveModel(path.join(tmp, "bad"), model, { ...meta, classNames: ["a", "b"] }),
    ).rejects.toThrow(/does not match 2 classes/);
    await expect(saveModel(path.join(tmp, "bad"), model, { ...meta, imageSize: 64 })).rejects.toThrow(
      /does not match imageSize 64/,
    );
    expect(existsSync(path.join(tmp, "bad"))).toBe(false);
    model.dispose();
  });

  it("explains a folder that is not a CXR Lab model", async () => {
    const nowhere = path.join(tmp, "nowhere");
    await expect(loadModel(nowhere)).rejects.toThrow(`model folder not found: ${nowhere}`);

    const plain = path.join(tmp, "plain");
    mkdirSync(plain);
    await expect(loadModel(plain)).rejects.toThrow(
      `${plain} is not a CXR Lab model folder: it has no ${META_JSON}`,
    );

    const dir = path.join(tmp, "broken");
    const model = build();
    await saveModel(dir, model, meta);
    model.dispose();
    const metaFile = path.join(dir, META_JSON);
    const json = JSON.parse(readFileSync(metaFile, "utf8"));
    writeFileSync(metaFile, JSON.stringify({ ...json, format: 2, classNames: [] }));
    await expect(loadModel(dir)).rejects.toThrow(
      /cxrlab-model\.json is not valid CXR Lab model metadata:[\s\S]*classNames/,
    );

    writeFileSync(metaFile, JSON.stringify(json));
    const weights = path.join(dir, "weights.bin");
    writeFileSync(weights, readFileSync(weights).subarray(0, 1000));
    await expect(loadModel(dir)).rejects.toThrow(
      /weights in .*broken hold 1000 bytes, model\.json needs \d+/,
    );
  });
});
