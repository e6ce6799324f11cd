import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDenseNet } from "../model/densenet.ts";
import { createRng } from "../random.ts";
import { sparseCategoricalCrossentropy } from "../train/loss.ts";
import { selectBackend } from "./select.ts";
import { registerWasmKernels } from "./wasm-kernels.ts";

type Backend = "wasm" | "cpu";

function randoms(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Runs `fn` on `backend` (its tensors made there) and reads every result back. */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(fn).map((t) => {
    const data = t.dataSync() as Float32Array;
    t.dispose();
    return data;
  });
}

/** Largest |a - b| relative to the largest |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? (diff === 0 ? 0 : Number.POSITIVE_INFINITY) : diff / scale;
}

/** ‖a − b‖ / ‖b‖. */
function relativeL2(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => {
    out.set(p, at);
    return at + p.length;
  }, 0);
  return out;
}

type Shape4 = [number, number, number, number];

interface ConvCase {
  name: string;
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
}

const CASES: ConvCase[] = [
  { name: "1x1 s1 valid, outC < inC", x: [2, 7, 7, 24], filter: [1, 1, 24, 8], strides: 1, pad: "valid" },
  { name: "1x1 s1 valid, outC > inC", x: [1, 6, 6, 4], filter: [1, 1, 4, 16], strides: 1, pad: "valid" },
  { name: "3x3 s1 same", x: [2, 9, 9, 16], filter: [3, 3, 16, 8], strides: 1, pad: "same" },
  { name: "7x7 s2 valid", x: [1, 21, 21, 3], filter: [7, 7, 3, 8], strides: 2, pad: "valid" },
  { name: "3x3 s2 same", x: [3, 10, 10, 5], filter: [3, 3, 5, 6], strides: 2, pad: "same" },
  { name: "numeric pad 1, s2", x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1 },
  {
    name: "non-square 3x2 s(2,1) same",
    x: [2, 11, 7, 4],
    filter: [3, 2, 4, 5],
    strides: [2, 1],
    pad: "same",
  },
  {
    name: "explicit padding",
    x: [2, 8, 9, 3],
    filter: [3, 3, 3, 4],
    strides: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
];

describe("wasm kernels (gradients and forward replacements)", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("registers its kernels once, however often it is called", () => {
    const kernels = () =>
      [
        "Conv2DBackpropFilter",
        "Conv2DBackpropInput",
        "Tile",
        "FusedBatchNorm",
        "Identity",
        "Cast",
        "SplitV",
        "Sum",
        "Mean",
      ].map((k) => tf.getKernel(k, "wasm"));
    const before = kernels();
    registerWasmKernels();
    registerWasmKernels();
    expect(before.every((k) => k !== undefined)).toBe(true);
    expect(kernels()).toEqual(before);
  });

  for (const c of CASES) {
    it(`conv2d gradients match cpu: ${c.name}`, async () => {
      const xs = randoms(tf.util.sizeFromShape(c.x), 1);
      const ws = randoms(tf.util.sizeFromShape(c.filter), 2);
      const grads = (): tf.Tensor[] => {
        const x = tf.tensor4d(xs, c.x);
        const w = tf.tensor4d(ws, c.filter);
        // A weighting that differs per output element, so every tap of dy matters.
        const loss = (xv: tf.Tensor, wv: tf.Tensor) => {
          const y = tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.strides, c.pad);
          return tf.sum(tf.mul(tf.square(y), tf.range(0, y.size).reshape(y.shape).mod(7).add(1)));
        };
        return tf.grads(loss)([x, w]);
      };
      const [dxWasm, dwWasm] = await on("wasm", grads);
      const [dxCpu, dwCpu] = await on("cpu", grads);
      expect(relativeError(dwWasm!, dwCpu!)).toBeLessThan(1e-4);
      expect(relativeError(dxWasm!, dxCpu!)).toBeLessThan(1e-4);
    });
  }

  it("splits large products into chunks without changing the result", async () => {
    await tf.setBackend("wasm");
    // Big enough that the whole batch goes through im2col / col2im in chunks, one image does not.
    const cases: { x: Shape4; filter: Shape4; strides: number }[] = [
      { x: [8, 128, 128, 16], filter: [3, 3, 16, 4], strides: 1 },
      { x: [8, 256, 256, 3], filter: [7, 7, 3, 8], strides: 2 },
    ];
    for (const c of cases) {
      const batch = c.x[0];
      tf.tidy(() => {
        const x = tf.tensor4d(randoms(tf.util.sizeFromShape(c.x), 19), c.x);
        const w = tf.tensor4d(randoms(tf.util.sizeFromShape(c.filter), 20), c.filter);
        const grads = (xv: tf.Tensor4D) =>
          tf.grads((a, b) =>
            tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, "same"))),
          )([xv, w]);
        const [dx, dw] = grads(x);
        const perImage = tf.split(x, batch).map((xi) => grads(xi as tf.Tensor4D));
        const dxByImage = tf.concat(perImage.map((g) => g[0]!));
        const dwByImage = tf.addN(perImage.map((g) => g[1]!));
        expect(
          relativeError(dx!.dataSync() as Float32Array, dxByImage.dataSync() as Float32Array),
        ).toBeLessThan(1e-5);
        expect(
          relativeError(dw!.dataSync() as Float32Array, dwByImage.dataSync() as Float32Array),
        ).toBeLessThan(1e-4);
      });
    }
  });

  it("handles dilation 2 (the kernel's optional dilations attribute) like the dilated filter on cpu", async () => {
    const [n, h, w, inC, outC, k, d] = [2, 13, 11, 4, 5, 3, 2];
    const effective = (k - 1) * d + 1;
    const xs = randoms(n * h * w * inC, 3);
    const dys = randoms(n * h * w * outC, 4);
    const attrs = { strides: 1, pad: "same", dataFormat: "NHWC" };
    const [dwWasm] = await on("wasm", () => [
      tf
        .engine()
        .runKernel(
          "Conv2DBackpropFilter",
          { x: tf.tensor4d(xs, [n, h, w, inC]), dy: tf.tensor4d(dys, [n, h, w, outC]) },
          { ...attrs, filterShape: [k, k, inC, outC], dilations: d },
        ) as tf.Tensor,
    ]);
    // The dilated filter's taps are every d-th tap of a dense filter of the effective size.
    const [dwDense] = await on("cpu", () => [
      tf
        .engine()
        .runKernel(
          "Conv2DBackpropFilter",
          { x: tf.tensor4d(xs, [n, h, w, inC]), dy: tf.tensor4d(dys, [n, h, w, outC]) },
          { ...attrs, filterShape: [effective, effective, inC, outC] },
        ) as tf.Tensor,
    ]);
    const dense = tf.tensor4d(dwDense!, [effective, effective, inC, outC]);
    const expected = tf.stridedSlice(dense, [0, 0, 0, 0], [effective, effective, inC, outC], [d, d, 1, 1]);
    expect(relativeError(dwWasm!, expected.dataSync() as Float32Array)).toBeLessThan(1e-4);
    tf.dispose([dense, expected]);
  });

  it("gives the filter gradient that central differences of the loss give, on wasm alone", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor4d(randoms(2 * 8 * 8 * 3, 5), [2, 8, 8, 3]);
    const w = tf.tensor4d(randoms(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
    // Quadratic in w, so central differences are exact up to float rounding.
    const loss = (wv: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, wv as tf.Tensor4D, 2, "same")));
    const grad = tf.grad(loss)(w).dataSync();
    const base = w.dataSync();
    const eps = 1e-2;
    for (const i of [0, 17, 58, 107]) {
      const at = (delta: number) =>
        tf.tidy(() => {
          const shifted = Float32Array.from(base);
          shifted[i]! += delta;
          return loss(tf.tensor4d(shifted, w.shape)).dataSync()[0]!;
        });
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - grad[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(grad[i]!)));
    }
    tf.dispose([x, w]);
  });

  it("tiles like cpu for every dtype and rank", async () => {
    const cases: [number[], number[], "float32" | "int32" | "bool"][] = [
      [[1, 1, 1, 5], [2, 3, 4, 1], "float32"],
      [[2, 1, 3], [1, 4, 2], "float32"],
      [[2, 3], [3, 2], "int32"],
      [[3], [4], "bool"],
      [[1, 2], [0, 3], "float32"],
      [[], [], "float32"],
    ];
    for (const [shape, reps, dtype] of cases) {
      const values = Array.from({ length: tf.util.sizeFromShape(shape) }, (_, i) =>
        dtype === "bool" ? i % 2 : i + 1,
      );
      const tile = () => [tf.tile(tf.tensor(values, shape, dtype), reps)];
      const [wasm] = await on("wasm", tile);
      const [cpu] = await on("cpu", tile);
      expect(Array.from(wasm!)).toEqual(Array.from(cpu!));
    }
  });

  it("splits like cpu along every axis, into given or equal sizes, for float and int", async () => {
    const cases: { shape: number[]; splits: number | number[]; axis: number; dtype: "float32" | "int32" }[] =
      [
        { shape: [2, 3, 4, 7], splits: [5, 2], axis: 3, dtype: "float32" },
        { shape: [2, 3, 4, 7], splits: [1, -1, 1], axis: 1, dtype: "float32" },
        { shape: [6, 5], splits: 3, axis: 0, dtype: "int32" },
        { shape: [4, 6], splits: [2, 0, 4], axis: -1, dtype: "float32" },
      ];
    for (const c of cases) {
      const values = randoms(tf.util.sizeFromShape(c.shape), 21).map((v) => Math.round(v * 100));
      const split = () => tf.split(tf.tensor(values, c.shape, c.dtype), c.splits, c.axis);
      const wasm = await on("wasm", split);
      const cpu = await on("cpu", split);
      expect(wasm.map((p) => Array.from(p))).toEqual(cpu.map((p) => Array.from(p)));
    }
  });

  it("sums and averages over leading axes like cpu, and hands other reductions to wasm's kernels", async () => {
    const shape = [3, 5, 4, 6];
    const xs = randoms(tf.util.sizeFromShape(shape), 22);
    const cases: { axis: number[]; keepDims: boolean; dtype?: "int32" }[] = [
      { axis: [0, 1, 2], keepDims: false },
      { axis: [2, 0, 1], keepDims: true },
      { axis: [0], keepDims: false },
      { axis: [1, 2], keepDims: false },
      { axis: [0, 1, 2, 3], keepDims: false },
      { axis: [0, 1], keepDims: false, dtype: "int32" },
    ];
    for (const c of cases) {
      const reduce = () => {
        const x = tf.tensor(c.dtype ? xs.map((v) => Math.round(v * 50)) : xs, shape, c.dtype);
        return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)];
      };
      const [sumWasm, meanWasm] = await on("wasm", reduce);
      const [sumCpu, meanCpu] = await on("cpu", reduce);
      expect(relativeError(sumWasm!, sumCpu!)).toBeLessThan(1e-6);
      expect(relativeError(meanWasm!, meanCpu!)).toBeLessThan(1e-6);
    }
  });

  it("batch-normalizes like cpu, with and without scale and offset, per channel or not", async () => {
    const shape: Shape4 = [2, 3, 4, 5];
    const xs = randoms(tf.util.sizeFromShape(shape), 9);
    const channel = (seed: number, shift: number) => randoms(5, seed).map((v) => v + shift);
    const cases: { mean: number[]; variance: number[]; scale?: number[]; offset?: number[] }[] = [
      {
        mean: [...channel(10, 0)],
        variance: [...channel(11, 1.5)],
        scale: [...channel(12, 1)],
        offset: [...channel(13, 0)],
      },
      { mean: [...channel(14, 0)], variance: [...channel(15, 1.5)] },
      { mean: [0.25], variance: [0.5], scale: [...channel(16, 1)] },
      // Not per channel: falls back to wasm's own kernel.
      { mean: [...randoms(20, 17)], variance: [...randoms(20, 18).map((v) => v + 1.5)] },
    ];
    for (const c of cases) {
      const norm = () => {
        const x = tf.tensor4d(xs, shape);
        const param = (v: number[] | undefined) =>
          v === undefined ? undefined : v.length === 20 ? tf.tensor(v, [4, 5]) : tf.tensor1d(v);
        return [tf.batchNorm(x, param(c.mean)!, param(c.variance)!, param(c.offset), param(c.scale), 1e-3)];
      };
      const [wasm] = await on("wasm", norm);
      const [cpu] = await on("cpu", norm);
      expect(relativeError(wasm!, cpu!)).toBeLessThan(1e-6);
    }
  });

  it("clones and same-dtype casts without copying, and still converts other casts", async () => {
    await tf.setBackend("wasm");
    const backend = tf.backend() as tf.KernelBackend;
    const x = tf.tensor2d([1.5, -2.25, 3, 4.75], [2, 2]);
    const before = backend.numDataIds();
    const clone = tf.clone(x);
    const same = tf.cast(x, "float32");
    expect(backend.numDataIds()).toBe(before);
    const int = tf.cast(x, "int32");
    expect(backend.numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1.5, -2.25, 3, 4.75]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3, 4.75]);
    expect(Array.from(int.dataSync())).toEqual([1, -2, 3, 4]);
    tf.dispose([clone, same, int]);
  });

  it("rejects NCHW with a message naming the file", async () => {
    await tf.setBackend("wasm");
    const run = () =>
      tf
        .engine()
        .runKernel(
          "Conv2DBackpropFilter",
          { x: tf.zeros([1, 2, 4, 4]), dy: tf.zeros([1, 2, 4, 4]) },
          { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [1, 1, 2, 2] },
        );
    expect(run).toThrow(/wasm-kernels\.ts: .*NHWC only/);
  });

  it("gives a DenseNet's loss the same gradient for every trainable weight as cpu", async () => {
    const [batch, size] = [4, 32];
    const build = () =>
      buildDenseNet({
        architecture: "densenet121",
        imageSize: size,
        numClasses: 3,
        head: { denseUnits: [8], dropout: 0 },
      });
    await tf.setBackend("wasm");
    // Seeded Glorot-uniform kernels; BatchNormalization and bias vectors keep their constant initial values.
    const rng = createRng(8);
    const weights = build()
      .getWeights()
      .map((t) => {
        if (t.rank < 2) return { shape: t.shape, data: t.dataSync() as Float32Array };
        const limit = Math.sqrt(6 / (t.size / t.shape[t.rank - 1]! + t.shape[t.rank - 1]!));
        return {
          shape: t.shape,
          data: Float32Array.from({ length: t.size }, () => rng.uniform(-limit, limit)),
        };
      });
    const images = randoms(batch * size * size * 3, 7).map((v) => (v + 1) / 2);
    const labels = Int32Array.from({ length: batch }, (_, i) => i % 3);
    const gradients = (): tf.Tensor[] => {
      const model = build();
      model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => {
        // BatchNormalization in training mode: batch statistics, with gradients through them.
        const probs = model.apply(tf.tensor4d(images, [batch, size, size, 3]), {
          training: true,
        }) as tf.Tensor2D;
        return tf.mean(sparseCategoricalCrossentropy(probs, tf.tensor1d(labels, "int32"))) as tf.Scalar;
      }, vars);
      const out = vars.map((v) => grads[v.name]!);
      model.dispose();
      return out;
    };
    const wasm = await on("wasm", gradients);
    const cpu = await on("cpu", gradients);
    expect(wasm.length).toBe(cpu.length);
    expect(wasm.length).toBeGreaterThan(300);
    // The two backends' forward passes differ in the last float bits, and batch statistics over
    // 4 samples (dense block 4 runs at 1x1) amplify that: about 2e-3 overall, and up to 5% on
    // conv1/bn/gamma, whose gradient is a near-cancelling sum. Wrong kernels give errors near 1.
    const errors = wasm.map((g, i) => relativeL2(g, cpu[i]!));
    expect(relativeL2(concat(wasm), concat(cpu))).toBeLessThan(1e-2);
    expect(Math.max(...errors)).toBeLessThan(0.1);
    // About 60 s on a quiet 2-core machine (the cpu backend's gradient of a whole DenseNet), 3-4x
    // that when the cores are shared.
  }, 300_000);
});
