import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { buildDenseNet } from "../model/densenet.ts";
import { sharedPaths } from "../paths.ts";
import {
  type ApplyWeightsSummary,
  applyImageNetWeights,
  readKerasH5Weights,
  readTfjsLayersWeights,
  type WeightMap,
  writeKerasH5Weights,
} from "./index.ts";

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/** The first COVID image of the shared sample, 224x224 RGB, Keras' torch-mode preprocessing. */
async function sampleXray(): Promise<tf.Tensor4D> {
  const dir = path.join(sharedPaths.sample(), "COVID");
  const file = path.join(dir, readdirSync(dir).sort()[0]!);
  const { data, info } = await sharp(file)
    .resize(224, 224, { fit: "fill" })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  const pixels = Float32Array.from(data, (v, i) => (v / 255 - IMAGENET_MEAN[i % 3]!) / IMAGENET_STD[i % 3]!);
  return tf.tensor4d(pixels, [1, 224, 224, 3]);
}

/**
 * The 2018 Keras model exactly as tfjs itself decodes model.json, with the missing fc1000 shard
 * zero-filled (SOURCE.md, "Checks run here"); independent of our reader.
 */
async function load2018Model(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8")) as tf.io.ModelJSON;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const bytes = new Uint8Array(specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0));
  let at = 0;
  for (const group of json.weightsManifest) {
    const groupBytes = group.weights.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
    let shardAt = at;
    for (const p of group.paths) {
      const file = path.join(dir, p);
      if (!existsSync(file)) break; // the rest of the group stays zero
      const chunk = readFileSync(file);
      bytes.set(chunk, shardAt);
      shardAt += chunk.length;
    }
    at += groupBytes;
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: bytes.buffer }),
  );
}

const bnOutput = (model: tf.LayersModel, x: tf.Tensor) =>
  tf.tidy(() => {
    const upToBn = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer("bn").output as tf.SymbolicTensor,
    });
    return upToBn.predict(x) as tf.Tensor;
  });

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);

const buildOurs = () =>
  buildDenseNet({
    architecture: "densenet169",
    imageSize: 224,
    numClasses: 3,
    head: { denseUnits: [512, 64], dropout: 0.3 },
  });

describe("ImageNet weights, end to end", () => {
  let weights: WeightMap;
  let x: tf.Tensor4D;
  let oursBn: tf.Tensor;
  let summary: ApplyWeightsSummary;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-imagenet-"));

  beforeAll(async () => {
    await selectBackend("wasm");
    weights = readTfjsLayersWeights(sharedPaths.imagenetWeights());
    x = await sampleXray();
    const ours = buildOurs();
    summary = applyImageNetWeights(ours, weights);
    oursBn = bnOutput(ours, x);
    ours.dispose();
  });
  afterAll(() => {
    tf.dispose([x, oursBn]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("our DenseNet169 with the loaded weights computes the same `bn` features as the 2018 Keras model", async () => {
    const reference = await load2018Model(sharedPaths.imagenetWeights());
    const refBn = bnOutput(reference, x);
    reference.dispose();

    expect(oursBn.shape).toEqual([1, 7, 7, 1664]);
    expect(refBn.shape).toEqual(oursBn.shape);
    const scale = tf.tidy(() => refBn.abs().max().dataSync()[0]!);
    expect(scale).toBeGreaterThan(1);
    expect(maxAbsDiff(refBn, oursBn)).toBeLessThan(1e-4);
    refBn.dispose();

    // The backbone is everything but fc1000 (SOURCE.md: 14,307,880 params, fc1000 is 1664*1000 + 1000).
    expect(summary.paramsLoaded).toBe(14_307_880 - (1664 * 1000 + 1000));
    expect(summary.layersKept.map((k) => k.layer)).toEqual(["dense", "dense_1", "dense_2"]);
    expect(summary.unused).toEqual([]);
  });

  it("round-trips the weights through a Keras .h5 file into a fresh model with identical outputs", async () => {
    const file = path.join(tmp, "densenet169_notop.h5");
    await writeKerasH5Weights(file, weights);
    const reread = await readKerasH5Weights(file);

    expect([...reread.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [key, w] of weights) {
      const back = reread.get(key)!;
      expect(back.shape, key).toEqual(w.shape);
      expect(bytesOf(back.data).equals(bytesOf(w.data)), key).toBe(true);
    }

    const fresh = buildOurs();
    applyImageNetWeights(fresh, reread);
    const freshBn = bnOutput(fresh, x);
    fresh.dispose();
    expect(maxAbsDiff(freshBn, oursBn)).toBe(0);
    freshBn.dispose();
  });
});
