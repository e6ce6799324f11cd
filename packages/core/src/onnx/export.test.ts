import { mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { createForwardEngine } from "../inference/engine.ts";
import { buildDenseNet } from "../model/densenet.ts";
import { sliceModelFrom, sliceModelUntil } from "../model/slice.ts";
import { createRng } from "../random.ts";
import { exportToOnnx, OPSET } from "./export.ts";
import { decodeModel } from "./proto.ts";
import { OnnxSession, onnxModelFile } from "./session.ts";

let cache: string;
beforeAll(async () => {
  await selectBackend("wasm");
  cache = mkdtempSync(path.join(os.tmpdir(), "cxrlab-onnx-"));
});
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** Random but well-conditioned weights everywhere, BatchNormalization statistics included, so folding matters. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    layer.setWeights(
      layer.weights.map((w) => {
        const shape = w.shape as number[];
        const n = shape.reduce((a, b) => a * b, 1);
        const fanIn = shape.length > 1 ? n / shape[shape.length - 1]! : 1;
        const variance = w.originalName.endsWith("moving_variance");
        const values = Float32Array.from({ length: n }, () =>
          variance ? 0.5 + rng.next() : (rng.next() * 2 - 1) * Math.sqrt(3 / fanIn),
        );
        return tf.tensor(values, shape);
      }),
    );
  }
}

function randomInput(batch: number, shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = batch * shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.next() * 4 - 2),
    [batch, ...shape],
  );
}

/** Max |tfjs - onnx| over a batch, and the largest |tfjs| value for scale. */
async function compare(
  model: tf.LayersModel,
  x: tf.Tensor,
  maxBatch?: number,
): Promise<{ diff: number; scale: number }> {
  const expected = tf.tidy(() => (model.apply(x, { training: false }) as tf.Tensor).dataSync());
  const session = await OnnxSession.create(model, {
    cacheDir: cache,
    providers: ["cpu"],
    threads: 1,
    ...(maxBatch ? { maxBatch } : {}),
  });
  const actual = await session.run(x.dataSync() as Float32Array, x.shape[0]!);
  await session.release();
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(expected[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return { diff, scale };
}

describe("ONNX export of a DenseNet", () => {
  let model: tf.LayersModel;
  let cut: number;
  beforeAll(() => {
    model = buildDenseNet({
      architecture: "densenet121",
      imageSize: 64,
      numClasses: 3,
      head: { denseUnits: [16], dropout: 0.5 },
    });
    randomizeWeights(model, 1);
    cut = model.layers.findIndex((l) => l.name === "pool4_pool") + 1;
  });

  it("folds every BatchNormalization that follows a convolution and keeps the rest", () => {
    const onnx = exportToOnnx(model);
    const bns = model.layers.filter((l) => l.getClassName() === "BatchNormalization");
    const afterConv = bns.filter((l) => l.inboundNodes[0]!.inboundLayers[0]!.getClassName() === "Conv2D");
    expect(afterConv.length).toBeGreaterThan(0);
    expect(onnx.batchNorms).toBe(bns.length);
    expect(onnx.foldedBatchNorms).toBe(afterConv.length);

    const decoded = decodeModel(onnx.bytes);
    expect(decoded.opset_import).toEqual([{ domain: "", version: OPSET }]);
    const ops = decoded.graph.node.map((n) => n.op_type);
    expect(ops.filter((op) => op === "BatchNormalization").length).toBe(bns.length - afterConv.length);
    expect(ops.filter((op) => op === "Conv").length).toBe(
      model.layers.filter((l) => l.getClassName() === "Conv2D").length,
    );
    // Both ZeroPadding2Ds became padding of the next layer (the max pool reads a ReLU's output).
    expect(ops).not.toContain("Pad");
    const dims = decoded.graph.input[0]!.type.tensor_type.shape!.dim;
    expect(dims).toEqual([
      expect.objectContaining({ dim_param: "batch" }),
      ...[64, 64, 3].map((d) => expect.objectContaining({ dim_value: d })),
    ]);
  });

  it("gives tfjs' probabilities for any batch size", async () => {
    for (const batch of [1, 3]) {
      const x = randomInput(batch, [64, 64, 3], batch);
      const { diff } = await compare(model, x);
      expect(diff).toBeLessThanOrEqual(1e-5);
      // Run in chunks of 2 (the second of 1): each example's outputs still land in place.
      expect((await compare(model, x, 2)).diff).toBeLessThanOrEqual(1e-5);
      x.dispose();
    }
  });

  it("gives tfjs' frozen-prefix features and suffix outputs", async () => {
    const prefix = sliceModelUntil(model, cut);
    const x = randomInput(2, [64, 64, 3], 7);
    const features = await compare(prefix, x);
    expect(features.scale).toBeGreaterThan(0.1);
    expect(features.diff / features.scale).toBeLessThanOrEqual(1e-5);

    const suffix = sliceModelFrom(model, cut);
    const f = tf.tidy(() => prefix.apply(x, { training: false }) as tf.Tensor);
    const probs = await compare(suffix, f);
    expect(probs.diff).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, f]);
  });

  it("caches the export by topology and weights", async () => {
    const dir = path.join(cache, "keyed");
    const prefix = sliceModelUntil(model, cut);
    const first = await OnnxSession.create(prefix, { cacheDir: dir, providers: ["cpu"] });
    const again = await OnnxSession.create(prefix, { cacheDir: dir, providers: ["cpu"] });
    expect([first.model.exported, again.model.exported]).toEqual([true, false]);
    expect(again.model.file).toBe(first.model.file);
    expect(first.describe()).toMatch(/^onnxruntime \d+\.\d+\.\d+ cpu, \d+ threads?$/);

    const conv = prefix.getLayer("conv1/conv");
    const kernel = conv.getWeights()[0]!;
    conv.setWeights([tf.mul(kernel, 1.01)]);
    const changed = await OnnxSession.create(prefix, { cacheDir: dir, providers: ["cpu"] });
    conv.setWeights([kernel]);
    expect(changed.model.exported).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(
      [path.basename(first.model.file), path.basename(changed.model.file)].sort(),
    );
    await Promise.all([first, again, changed].map((s) => s.release()));
  });
});

describe("ONNX export of other layer arrangements", () => {
  it("handles biased, strided 'same' convolutions, shared conv outputs, same-padded pools and softmax layers", async () => {
    const input = tf.input({ shape: [9, 10, 4] });
    const positive = tf.layers.activation({ activation: "relu" }).apply(input);
    const padded = tf.layers
      .zeroPadding2d({
        padding: [
          [1, 0],
          [0, 1],
        ],
      })
      .apply(positive);
    const maxPooled = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }).apply(padded);
    const padded2 = tf.layers
      .zeroPadding2d({
        padding: [
          [1, 1],
          [1, 1],
        ],
      })
      .apply(input);
    const avgPooled = tf.layers.averagePooling2d({ poolSize: 2, strides: 1 }).apply(padded2);
    const pooled = tf.layers.concatenate().apply([maxPooled, avgPooled] as tf.SymbolicTensor[]);
    // Stride 2 on even and odd sizes: TF's "same" pads the odd pixel at the bottom/right.
    const a = tf.layers
      .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: "same", useBias: true })
      .apply(pooled) as tf.SymbolicTensor;
    const aBn = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(a);
    // A convolution read by two layers: its BatchNormalization cannot be folded.
    const b = tf.layers
      .conv2d({ filters: 6, kernelSize: 1, useBias: false })
      .apply(pooled) as tf.SymbolicTensor;
    const bPool = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }).apply(b);
    const bBn = tf.layers.batchNormalization({ center: false }).apply(b);
    const bBnPool = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }).apply(bBn);
    const joined = tf.layers.concatenate().apply([aBn, bPool, bBnPool] as tf.SymbolicTensor[]);
    const act = tf.layers
      .conv2d({ filters: 5, kernelSize: 2, activation: "relu", padding: "same" })
      .apply(joined);
    const soft = tf.layers.activation({ activation: "softmax" }).apply(act);
    const gap = tf.layers.globalAveragePooling2d({}).apply(soft);
    const dense = tf.layers.dense({ units: 7, activation: "tanh" }).apply(gap);
    const dropped = tf.layers.dropout({ rate: 0.3 }).apply(dense);
    const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(dropped) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeWeights(model, 3);

    const onnx = exportToOnnx(model);
    expect([onnx.batchNorms, onnx.foldedBatchNorms]).toEqual([2, 1]);
    const x = randomInput(2, [9, 10, 4], 5);
    const { diff } = await compare(model, x);
    expect(diff).toBeLessThanOrEqual(1e-6);

    // The same graph cut before the head: a 4-D (NHWC) output.
    const features = tf.model({ inputs: input, outputs: joined as tf.SymbolicTensor });
    const f = await compare(features, x);
    expect(f.diff / f.scale).toBeLessThanOrEqual(1e-5);
    x.dispose();
  });

  it("refuses zero padding that onnxruntime would turn into a pool's padding wrongly", () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const padded = tf.layers.zeroPadding2d({ padding: 1 }).apply(input);
    const pooled = tf.layers
      .maxPooling2d({ poolSize: 3, name: "pool_neg" })
      .apply(padded) as tf.SymbolicTensor;
    expect(() => exportToOnnx(tf.model({ inputs: input, outputs: pooled }))).toThrow(
      /layer pool_neg \(MaxPooling2D\): zero padding before max pooling of values that may be negative/,
    );
  });

  it("names the layer it cannot export", () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const flat = tf.layers.flatten({ name: "my_flatten" }).apply(input);
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor,
    });
    expect(() => exportToOnnx(model)).toThrow(
      /layer my_flatten \(Flatten\) is not supported \(supported: InputLayer/,
    );
  });
});

describe("the ONNX export cache", () => {
  it("keeps the 8 most recently used exports", () => {
    const dir = path.join(cache, "lru");
    const input = tf.input({ shape: [2, 2, 1] });
    const dense = tf.layers.globalAveragePooling2d({}).apply(input);
    const now = Date.now() / 1000;
    const files = Array.from({ length: 10 }, (_, i) => {
      const out = tf.layers.dense({ units: i + 1 }).apply(dense) as tf.SymbolicTensor;
      const { file } = onnxModelFile(tf.model({ inputs: input, outputs: out }), dir);
      // Distinct use times, oldest first, whatever the file system's timestamp granularity.
      utimesSync(file, now - 100 + i, now - 100 + i);
      return file;
    });
    // The oldest two went; the others are all there.
    expect(readdirSync(dir).sort()).toEqual(
      files
        .slice(2)
        .map((f) => path.basename(f))
        .sort(),
    );
  });
});

describe("forward engines", () => {
  it("run the same model on onnxruntime or tfjs and say which", async () => {
    const input = tf.input({ shape: [6, 6, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(input);
    const out = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeWeights(model, 9);
    const onnx = await createForwardEngine(model, { engine: "onnx", cacheDir: cache });
    const tfjs = await createForwardEngine(model, { engine: "tfjs" });
    expect(onnx.description).toMatch(/^onnxruntime .* cpu/);
    expect(tfjs.description).toBe("tfjs wasm");
    expect([onnx.outputShape, tfjs.outputShape]).toEqual([[4], [4]]);
    const x = randomInput(3, [6, 6, 3], 11);
    const [a, b] = [await onnx.run(x), await tfjs.run(x)];
    expect(Array.from(a)).toEqual(Array.from(b).map((v) => expect.closeTo(v, 5)));
    x.dispose();
    await Promise.all([onnx.dispose(), tfjs.dispose()]);
  });
});
