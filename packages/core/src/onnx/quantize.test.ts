import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import {
  choosePrecision,
  comparePrecisions,
  INT8_CHECK_FILE,
  INT8_MODEL_FILE,
  type Int8Check,
  int8CheckFailures,
  modelKey,
  pickCalibrationImages,
} from "../inference/int8.ts";
import { createRng } from "../random.ts";
import { calibrateActivations, ValueHistogram } from "./calibrate.ts";
import { exportToOnnx } from "./export.ts";
import { collectLayerGraph } from "./layer-graph.ts";
import { decodeModel } from "./proto.ts";
import {
  activationQuantization,
  quantizeBias,
  quantizedTensors,
  quantizePerChannel,
  quantizeValue,
  roundHalfEven,
} from "./quantize.ts";
import { loadOnnxRuntime } from "./session.ts";

let dir: string;
beforeAll(async () => {
  await selectBackend("wasm");
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-int8-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quantization maths", () => {
  it("rounds half to even like QuantizeLinear", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, -3]);
  });

  it("gives uint8 scale and zero point that cover the range and keep 0 exact", () => {
    expect(activationQuantization({ min: 0, max: 2.55 })).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    // Widened to contain 0: [0.5, 2.55] is quantized as [0, 2.55].
    expect(activationQuantization({ min: 0.5, max: 2.55 })).toEqual({
      scale: Math.fround(0.01),
      zeroPoint: 0,
    });
    const q = activationQuantization({ min: -1, max: 1.55 });
    expect(q.scale).toBeCloseTo(0.01, 7);
    expect(q.zeroPoint).toBe(100);
    expect(quantizeValue(0, q)).toBe(100);
    expect(quantizeValue(-1, q)).toBe(0);
    expect(quantizeValue(1.55, q)).toBe(255);
    expect(quantizeValue(9, q)).toBe(255); // saturates
    expect(quantizeValue(-9, q)).toBe(0);
    expect(activationQuantization({ min: 0, max: 0 })).toEqual({ scale: 1, zeroPoint: 0 });
  });

  it("quantizes weights symmetrically per output channel", () => {
    // Two channels of three weights: max |w| 2.54 and 0.127; a third, all-zero channel.
    const w = Float32Array.of(2.54, -1.27, 0.01, 0.127, -0.0637, 0, 0, 0, 0);
    const { values, scales } = quantizePerChannel(w, 3);
    expect(Array.from(scales)).toEqual([Math.fround(0.02), Math.fround(0.001), 1]);
    expect(Array.from(values)).toEqual([127, -64, 0, 127, -64, 0, 0, 0, 0]);
    // Dequantized weights are within half a step of the originals.
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(values[i]! * scales[Math.floor(i / 3)]! - w[i]!)).toBeLessThanOrEqual(
        scales[Math.floor(i / 3)]! / 2 + 1e-9,
      );
    }
    expect(() => quantizePerChannel(w, 2)).toThrow(/do not split/);
  });

  it("quantizes a bias with the input scale times each channel's weight scale", () => {
    const codes = quantizeBias(Float32Array.of(0.5, -0.25), 0.01, Float32Array.of(0.1, 0.5));
    expect(Array.from(codes)).toEqual([500, -50]);
  });

  it("takes percentile ranges from a histogram, min/max as observed", () => {
    const h = new ValueHistogram();
    const values = Float32Array.from({ length: 200_000 }, (_, i) => (i % 1000) / 100); // 0 .. 9.99
    values[0] = 1000; // one outlier
    values[1] = -3; // one negative value
    h.add(values);
    expect([h.min, h.max, h.total]).toEqual([-3, 1000, 200_000]);
    const r = h.range(0.9999);
    // The outlier and the lone negative value are left out; 9.99 stays within a bin's width (~6%).
    expect(r.min).toBe(0);
    expect(r.max).toBeGreaterThanOrEqual(9.99);
    expect(r.max).toBeLessThan(9.99 * 1.07);
    // Keep everything: the full range.
    expect(h.range(1)).toEqual({ min: -3, max: 1000 });
  });

  it("compares precisions and applies the check's limits", () => {
    const k = 2;
    const labels = Array.from({ length: 400 }, (_, i) => i % 2);
    const fp32 = Float32Array.from({ length: 800 }, (_, j) => (j % 2 === Math.floor(j / 2) % 2 ? 0.9 : 0.1));
    const int8 = fp32.slice();
    // Image 0 flips to the wrong class: accuracy -0.25 points, agreement 99.75%.
    int8[0] = 0.4;
    int8[1] = 0.6;
    const c = comparePrecisions(fp32, int8, labels, k);
    expect(c).toMatchObject({ images: 400, fp32Accuracy: 1, int8Accuracy: 399 / 400, agreement: 399 / 400 });
    expect(c.maxProbabilityDifference).toBeCloseTo(0.5, 6);
    expect(int8CheckFailures(c)).toEqual([]);
    // Two flips: -0.5 points and 99.5% agreement: the accuracy limit fails.
    int8[2] = 0.9;
    int8[3] = 0.1;
    const two = comparePrecisions(fp32, int8, labels, k);
    expect(two.agreement).toBe(0.995);
    expect(int8CheckFailures(two)).toEqual(["accuracy drops 0.50 points (at most 0.3 allowed)"]);
  });

  it("spreads calibration images over the classes, reproducibly", () => {
    const records = Array.from({ length: 30 }, (_, i) => ({
      path: `${i}.png`,
      label: i < 20 ? 0 : i < 27 ? 1 : 2,
      className: "",
    }));
    const picked = pickCalibrationImages(records, 9, 3);
    expect(picked.map((r) => r.label).sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(pickCalibrationImages(records, 9, 3)).toEqual(picked);
    expect(pickCalibrationImages(records, 100, 3)).toHaveLength(30);
  });
});

/** A small DenseNet-like network: stem conv+BN+ReLU, a dense block, a transition, the head. */
function smallNet(seed: number): tf.LayersModel {
  const rng = createRng(seed);
  const init = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? n / shape[shape.length - 1]! : 1;
    return tf.tensor(
      Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * Math.sqrt(6 / fanIn)),
      shape,
    );
  };
  const input = tf.input({ shape: [24, 24, 3] });
  const bnRelu = (x: tf.SymbolicTensor, name: string) =>
    tf.layers
      .activation({ activation: "relu", name: `${name}_relu` })
      .apply(tf.layers.batchNormalization({ name: `${name}_bn` }).apply(x)) as tf.SymbolicTensor;
  const conv = (x: tf.SymbolicTensor, filters: number, k: number, name: string, strides = 1) =>
    tf.layers
      .conv2d({ filters, kernelSize: k, strides, padding: "same", useBias: false, name })
      .apply(x) as tf.SymbolicTensor;
  let x = bnRelu(conv(input, 8, 3, "stem", 2), "stem");
  for (let i = 0; i < 2; i++) {
    const y = conv(bnRelu(conv(bnRelu(x, `b${i}_0`), 16, 1, `b${i}_1`), `b${i}_1`), 4, 3, `b${i}_2`);
    x = tf.layers.concatenate({ name: `b${i}_concat` }).apply([x, y]) as tf.SymbolicTensor;
  }
  x = tf.layers
    .averagePooling2d({ poolSize: 2 })
    .apply(conv(bnRelu(x, "t"), 8, 1, "t_conv")) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(bnRelu(x, "final")) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: "softmax", name: "head" })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: "small" });
  for (const layer of model.layers) {
    layer.setWeights(
      layer.weights.map((w) => {
        const name = w.originalName;
        const shape = w.shape as number[];
        const c = shape[0]!;
        if (name.endsWith("moving_variance"))
          return tf.tensor(Float32Array.from({ length: c }, () => 0.5 + rng.next()));
        if (name.endsWith("moving_mean") || name.endsWith("beta"))
          return tf.tensor(Float32Array.from({ length: c }, () => (rng.next() - 0.5) * 0.4));
        if (name.endsWith("gamma"))
          return tf.tensor(Float32Array.from({ length: c }, () => 0.5 + rng.next()));
        return init(shape);
      }),
    );
  }
  return model;
}

function randomImages(batch: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: batch * 24 * 24 * 3 }, () => rng.next() * 2 - 1);
}

describe("int8 export", () => {
  it("quantizes every convolution's input and output, and onnxruntime fuses them into QLinearConv", async () => {
    const model = smallNet(1);
    const graph = collectLayerGraph(model);
    const fp32 = exportToOnnx(graph);
    const convs = decodeModel(fp32.bytes).graph.node.filter((n) => n.op_type === "Conv").length;
    expect(convs).toBe(model.layers.filter((l) => l.getClassName() === "Conv2D").length);
    // Inputs and outputs of the 5 convolutions after the stem, which stays fp32: each block's
    // two ReLUs and 3x3 output, the transition's ReLU and output. With the stem: its input and
    // ReLU too, all of which calibration observes.
    const nodes = decodeModel(fp32.bytes).graph.node;
    expect(quantizedTensors(nodes)).toHaveLength(8);
    expect(quantizedTensors(nodes, { quantizeInputConvs: true })).toHaveLength(10);
    expect(fp32.quantizedTensors).toHaveLength(10);

    async function* batches() {
      for (let i = 0; i < 4; i++) yield { x: randomImages(4, 100 + i), batch: 4 };
    }
    const calibration = await calibrateActivations(graph, batches(), { threads: 1 });
    expect(calibration.images).toBe(16);
    expect(calibration.ranges.size).toBe(10);
    const key = modelKey(model);
    const int8 = exportToOnnx(graph, { precision: "int8", ranges: calibration.ranges });
    // Equalization rewrote the exported constants only, never the model's weights.
    expect(modelKey(model)).toBe(key);
    const plain = exportToOnnx(graph, {
      precision: "int8",
      ranges: calibration.ranges,
      scope: { equalize: false },
    });
    expect(plain.bytes).not.toEqual(int8.bytes);
    const ops = decodeModel(int8.bytes).graph.node.map((n) => n.op_type);
    expect(ops.filter((o) => o === "QuantizeLinear")).toHaveLength(8);
    expect(ops.filter((o) => o === "Conv")).toHaveLength(convs);

    const ort = await loadOnnxRuntime();
    const session = async (bytes: Uint8Array, name: string) => {
      const file = path.join(dir, `${name}.onnx`);
      writeFileSync(file, bytes);
      return ort.InferenceSession.create(file, {
        intraOpNumThreads: 1,
        graphOptimizationLevel: "all",
        optimizedModelFilePath: path.join(dir, `${name}.optimized.onnx`),
      });
    };
    const [s32, s8] = [await session(fp32.bytes, "fp32"), await session(int8.bytes, "int8")];
    const { readFileSync } = await import("node:fs");
    const optimized = decodeModel(readFileSync(path.join(dir, "int8.optimized.onnx"))).graph.node;
    expect(optimized.filter((n) => n.op_type === "QLinearConv")).toHaveLength(convs - 1);

    // Tolerance stated: on other random images, class probabilities within 0.03 of fp32's.
    const x = randomImages(8, 7);
    const run = async (s: typeof s32) =>
      (await s.run({ [s.inputNames[0]!]: new ort.Tensor("float32", x, [8, 24, 24, 3]) }))[s.outputNames[0]!]!
        .data as Float32Array;
    const [p32, p8] = [await run(s32), await run(s8)];
    expect(Math.max(...p32) - Math.min(...p32)).toBeGreaterThan(0.1); // informative outputs
    const diff = Math.max(...p32.map((v, i) => Math.abs(v - p8[i]!)));
    expect(diff).toBeLessThan(0.03);
    await s32.release();
    await s8.release();
    model.dispose();
  });

  it("needs a range for every quantized tensor", () => {
    const model = smallNet(2);
    expect(() => exportToOnnx(model, { precision: "int8", ranges: new Map() })).toThrow(
      /no calibrated range/,
    );
    model.dispose();
  });
});

describe("choosing the precision", () => {
  const check = (over: Partial<Int8Check>): Int8Check =>
    ({
      format: 1,
      passed: true,
      failures: [],
      accuracyChange: 0,
      agreement: 1,
      int8File: INT8_MODEL_FILE,
      ...over,
    }) as Int8Check;

  it("keeps fp32 unless a passed check for these weights is recorded", () => {
    const model = smallNet(3);
    const modelDir = mkdtempSync(path.join(dir, "model-"));
    const key = modelKey(model);
    const write = (c: Int8Check) => writeFileSync(path.join(modelDir, INT8_CHECK_FILE), JSON.stringify(c));

    expect(choosePrecision(model, modelDir).precision).toBe("fp32"); // nothing recorded
    expect(() => choosePrecision(model, modelDir, "int8")).toThrow(/no int8 model/);
    writeFileSync(path.join(modelDir, INT8_MODEL_FILE), "");

    write(
      check({ modelKey: key, passed: false, failures: ["accuracy drops 0.64 points (at most 0.3 allowed)"] }),
    );
    const failed = choosePrecision(model, modelDir);
    expect(failed).toMatchObject({ precision: "fp32", engineOptions: {} });
    expect(failed.reason).toMatch(/int8 check failed: accuracy drops 0.64 points/);

    write(check({ modelKey: "0".repeat(32) }));
    expect(choosePrecision(model, modelDir)).toMatchObject({ precision: "fp32" }); // other weights

    write(check({ modelKey: key }));
    const passed = choosePrecision(model, modelDir);
    expect(passed).toMatchObject({
      precision: "int8",
      engineOptions: { engine: "onnx", precision: "int8", file: path.join(modelDir, INT8_MODEL_FILE) },
    });
    expect(choosePrecision(model, modelDir, "fp32").precision).toBe("fp32");
    expect(choosePrecision(model, modelDir, "auto", "tfjs").precision).toBe("fp32");
    expect(() => choosePrecision(model, modelDir, "int8", "tfjs")).toThrow(/onnxruntime only/);
    model.dispose();
  });
});
