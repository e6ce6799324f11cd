import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { imagenetDenseNet, sampleXrays, testModelMeta } from "../gradcam/test-model.ts";
import { saveModel } from "../model/io.ts";
import { predictImages } from "./predict.ts";

const SIZE = 64;
const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-predict-"));
const modelDir = path.join(tmp, "model");

beforeAll(async () => {
  await selectBackend();
  const model = await imagenetDenseNet(SIZE);
  await saveModel(modelDir, model, testModelMeta(SIZE));
  model.dispose();
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("predictImages", () => {
  it.each(["tfjs", "onnx"] as const)(
    "on %s leaves no tensor behind and gives a probability row per image",
    async (engine) => {
      const inputs = sampleXrays(2);
      // The first call warms the backend (kernels, wasm heap) up; the second is the one counted.
      await predictImages({ model: modelDir, inputs, engine, batchSize: 4 });
      const before = tf.memory().numTensors;
      const result = await predictImages({ model: modelDir, inputs, engine, batchSize: 4 });
      expect(tf.memory().numTensors).toBe(before);
      expect(result.predictions.map((p) => p.path)).toEqual(inputs);
      for (const p of result.predictions) {
        const sum = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 5);
      }
    },
    120_000,
  );
});
