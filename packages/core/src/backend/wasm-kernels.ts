import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/*
 * Kernels that make training on tfjs-backend-wasm 4.22 work, and work at a usable speed and memory:
 * - Conv2DBackpropFilter, which wasm lacks, and Conv2DBackpropInput, whose wasm version is a plain
 *   C++ loop 7-11x slower than the forward convolution, both rebuilt on the kernels wasm runs
 *   through XNNPack: BatchMatMul (only when neither operand is transposed) and Conv2D;
 * - Tile, FusedBatchNorm, Identity and Cast replaced where wasm's versions were slow or copied
 *   (see REPLACEMENTS at the end).
 * wasm's own Slice and Transpose copy element by element (Slice even reads the whole input out of
 * the heap first), so the relayouts needed here are done in JS directly on the wasm heap.
 */

type Info = tf.TensorInfo;
type Pair = [number, number];
type KernelArgs = Parameters<tf.KernelFunc>[0];
type FilterAttrs = tf.Conv2DBackpropFilterAttrs & { dilations?: number | Pair };

const pair = (v: number | Pair): Pair => (typeof v === "number" ? [v, v] : v);

function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`wasm-kernels.ts: wasm kernel ${name} is not registered`);
  return k;
}

/**
 * Runs a wasm kernel on backend-level tensor infos; the caller disposes what it returns.
 * BatchMatMul's right operand must be a tensor made here and disposed right after: XNNPack keeps
 * a packed copy of it, keyed by its id, until that id is freed.
 */
function run(backend: BackendWasm, name: string, inputs: Record<string, Info>, attrs: object): Info {
  return kernel(name).kernelFunc({ backend, inputs, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** The tensor's float32 data in the wasm heap (re-take after any allocation: the heap may grow). */
function heap(backend: BackendWasm, t: Info): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function checkNHWC(format: string | undefined, kernelName: string): void {
  if (format === "NCHW") throw new Error(`wasm-kernels.ts: ${kernelName} on wasm supports NHWC only`);
}

/** Most floats an im2col or col2im matrix may hold (64 MB); larger products are done in chunks. */
const IM2COL_LIMIT = 16 * 2 ** 20;

/**
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sh + kh·dh − top, ow·sw + kw·dw − left, ci] · dy[n, oh, ow, co].
 * Writing kh·dh = sh·qh + ah (and likewise for w), the input row read is sh·(oh + qh) + ah. So the
 * padded input is split into its stride phases (ah, aw), each laid out on a grid of gridH × gridW
 * positions and transposed to [inC, positions]; each filter offset is then a contiguous run of
 * every channel row of one phase, shifted by qh·gridW + qw. Stacking those runs gives im2colᵀ
 * [offsets·inC, R], and im2colᵀ · dy (dy laid on the same grid, zeros elsewhere) is dW as
 * [kh, kw, ci] × co. dy is the packed operand, so XNNPack packs it once per call.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as FilterAttrs;
  checkNHWC(a.dataFormat, "Conv2DBackpropFilter");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    pair(a.strides),
    pair(a.dilations ?? 1),
    a.pad,
    a.dimRoundingMode,
  );
  const { batchSize: n, inHeight: inH, inWidth: inW, inChannels: inC, outChannels: outC } = info;
  const { outHeight: outH, outWidth: outW, filterHeight: kH, filterWidth: kW, padInfo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pointwise = kH === 1 && kW === 1 && sh === 1 && sw === 1 && outH === inH && outW === inW;
  if (pointwise && outC < inC) return pointwiseFilterGrad(wasm, x, dy, a.filterShape);
  const gridH = outH + Math.floor(((kH - 1) * dh) / sh);
  const gridW = outW + Math.floor(((kW - 1) * dw) / sw);
  const positions = n * gridH * gridW;
  const rows = positions - (gridH - outH) * gridW - (gridW - outW);
  const offsets: { phase: number; shift: number }[] = [];
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const phase = ((kh * dh) % sh) * sw + ((kw * dw) % sw);
      offsets.push({ phase, shift: Math.floor((kh * dh) / sh) * gridW + Math.floor((kw * dw) / sw) });
    }
  }
  const perChunk = Math.max(1, Math.floor(IM2COL_LIMIT / (inC * rows)));

  const temps: Info[] = [];
  const alloc = (shape: number[]) => {
    const t = wasm.makeOutput(shape, "float32");
    temps.push(t);
    return t;
  };
  try {
    const phases = new Map<number, Info>();
    for (const { phase } of offsets) if (!phases.has(phase)) phases.set(phase, alloc([inC, positions]));
    const dyGrid = alloc([rows, outC]);
    const out = wasm.makeOutput([kH * kW * inC, outC], "float32");
    // A 1x1 filter's only offset is its phase matrix as it stands.
    const direct = offsets.length === 1 && rows === positions;
    const chunks: { from: number; im2col: Info }[] = [];
    for (let from = 0; from < offsets.length; from += perChunk) {
      const im2col = direct ? phases.get(0)! : alloc([Math.min(perChunk, offsets.length - from) * inC, rows]);
      chunks.push({ from, im2col });
    }

    const xs = heap(wasm, x);
    for (const [key, phase] of phases) {
      const top = Math.floor(key / sw) - padInfo.top;
      const left = (key % sw) - padInfo.left;
      const src = new Int32Array(positions);
      for (let r = 0; r < positions; r++) {
        const j = r % gridW;
        const i = Math.floor(r / gridW) % gridH;
        const row = top + sh * i;
        const col = left + sw * j;
        const b = Math.floor(r / (gridW * gridH));
        src[r] = row >= 0 && row < inH && col >= 0 && col < inW ? ((b * inH + row) * inW + col) * inC : -1;
      }
      gatherTransposed(xs, src, inC, heap(wasm, phase));
    }
    spreadOntoGrid(heap(wasm, dy), heap(wasm, dyGrid), outH, outW, outC, gridH, gridW, rows);

    for (const { from, im2col } of chunks) {
      const cols = heap(wasm, im2col);
      const count = direct ? 0 : im2col.shape[0]! / inC;
      for (let k = 0; k < count; k++) {
        const { phase, shift } = offsets[from + k]!;
        const p = heap(wasm, phases.get(phase)!);
        for (let ci = 0; ci < inC; ci++) {
          const at = ci * positions + shift;
          cols.set(p.subarray(at, at + rows), (k * inC + ci) * rows);
        }
      }
      const part = run(
        wasm,
        "BatchMatMul",
        { a: im2col, b: dyGrid },
        { transposeA: false, transposeB: false },
      );
      heap(wasm, out).set(heap(wasm, part), from * inC * outC);
      wasm.disposeData(part.dataId);
    }
    out.shape = a.filterShape;
    return out;
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId);
  }
}

/**
 * A 1x1 stride-1 unpadded filter's gradient as dWᵀ = dyᵀ·x, so the JS transpose falls on dy when it
 * has fewer channels than x, and XNNPack packs x.
 */
function pointwiseFilterGrad(wasm: BackendWasm, x: Info, dy: Info, filterShape: number[]): Info {
  const [, , inC, outC] = filterShape as [number, number, number, number];
  const rows = tf.util.sizeFromShape(dy.shape) / outC;
  const xRows = wasm.makeOutput([rows, inC], "float32");
  const dyT = wasm.makeOutput([outC, rows], "float32");
  try {
    heap(wasm, xRows).set(heap(wasm, x));
    gatherTransposed(
      heap(wasm, dy),
      Int32Array.from({ length: rows }, (_, r) => r * outC),
      outC,
      heap(wasm, dyT),
    );
    const dWT = run(wasm, "BatchMatMul", { a: dyT, b: xRows }, { transposeA: false, transposeB: false });
    const out = wasm.makeOutput(filterShape, "float32");
    const t = heap(wasm, dWT);
    const o = heap(wasm, out);
    for (let ci = 0; ci < inC; ci++) for (let co = 0; co < outC; co++) o[ci * outC + co] = t[co * inC + ci]!;
    wasm.disposeData(dWT.dataId);
    return out;
  } finally {
    wasm.disposeData(xRows.dataId);
    wasm.disposeData(dyT.dataId);
  }
}

/** out[c, r] = src[from[r] + c], or 0 where from[r] < 0; blocked for the cache. */
function gatherTransposed(src: Float32Array, from: Int32Array, channels: number, out: Float32Array): void {
  const rows = from.length;
  const block = 64;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(r0 + block, rows);
    for (let c0 = 0; c0 < channels; c0 += block) {
      const c1 = Math.min(c0 + block, channels);
      for (let c = c0; c < c1; c++) {
        const dst = c * rows;
        for (let r = r0; r < r1; r++) {
          const s = from[r]!;
          out[dst + r] = s < 0 ? 0 : src[s + c]!;
        }
      }
    }
  }
}

/** out[r, :] = dy[b, i, j, :] for grid row r = (b·gridH + i)·gridW + j inside dy, else 0. */
function spreadOntoGrid(
  dy: Float32Array,
  out: Float32Array,
  outH: number,
  outW: number,
  outC: number,
  gridH: number,
  gridW: number,
  rows: number,
): void {
  out.fill(0);
  const n = dy.length / (outH * outW * outC);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      const src = (b * outH + i) * outW * outC;
      const dst = (b * gridH + i) * gridW * outC;
      if (dst >= rows * outC) return;
      out.set(dy.subarray(src, src + Math.min(outW * outC, rows * outC - dst)), dst);
    }
  }
}

/**
 * dx for stride 1 is the convolution of dy with the filter rotated by 180° and its channel axes
 * swapped, padded so the output has the input's size: one XNNPack Conv2D. Other strides go
 * through a matrix product and col2im (see stridedInputGrad).
 */
function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  checkNHWC(a.dataFormat, "Conv2DBackpropInput");
  const [kH, kW, inC, outC] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    [kH, kW, inC, outC],
    pair(a.strides),
    1,
    a.pad,
    a.dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return stridedInputGrad(wasm, dy, filter, info);
  const top = kH - 1 - info.padInfo.top;
  const left = kW - 1 - info.padInfo.left;
  const bottom = info.inHeight + kH - 1 - top - info.outHeight;
  const right = info.inWidth + kW - 1 - left - info.outWidth;
  const flipped = wasm.makeOutput([kH, kW, outC, inC], "float32");
  const f = heap(wasm, filter);
  const g = heap(wasm, flipped);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * inC * outC;
      const dst = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * outC * inC;
      for (let ci = 0; ci < inC; ci++) {
        for (let co = 0; co < outC; co++) g[dst + co * inC + ci] = f[src + ci * outC + co]!;
      }
    }
  }
  try {
    const pad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    return run(
      wasm,
      "Conv2D",
      { x: dy, filter: flipped },
      { strides: 1, pad, dataFormat: "NHWC", dilations: 1 },
    );
  } finally {
    wasm.disposeData(flipped.dataId);
  }
}

/**
 * cols = dy [N·outH·outW, outC] · Wᵀ [outC, kH·kW·inC] holds each output pixel's contribution to
 * every input pixel under the filter; col2im adds them up into dx. Done in chunks of output rows.
 */
function stridedInputGrad(wasm: BackendWasm, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { batchSize: n, inHeight: inH, inWidth: inW, inChannels: inC, outChannels: outC } = info;
  const { outHeight: outH, outWidth: outW, filterHeight: kH, filterWidth: kW, padInfo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const width = kH * kW * inC;
  const rows = n * outH * outW;
  const perChunk = Math.max(1, Math.floor(IM2COL_LIMIT / width));
  const filterT = wasm.makeOutput([outC, width], "float32");
  const dx = wasm.makeOutput(info.inShape, "float32");
  try {
    gatherTransposed(
      heap(wasm, filter),
      Int32Array.from({ length: width }, (_, r) => r * outC),
      outC,
      heap(wasm, filterT),
    );
    heap(wasm, dx).fill(0);
    for (let r0 = 0; r0 < rows; r0 += perChunk) {
      const count = Math.min(perChunk, rows - r0);
      const dyRows = wasm.makeOutput([count, outC], "float32");
      heap(wasm, dyRows).set(heap(wasm, dy).subarray(r0 * outC, (r0 + count) * outC));
      const cols = run(
        wasm,
        "BatchMatMul",
        { a: dyRows, b: filterT },
        { transposeA: false, transposeB: false },
      );
      wasm.disposeData(dyRows.dataId);
      const c = heap(wasm, cols);
      const d = heap(wasm, dx);
      for (let t = 0; t < count; t++) {
        const r = r0 + t;
        const ow = r % outW;
        const oh = Math.floor(r / outW) % outH;
        const b = Math.floor(r / (outW * outH));
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * sh + kh * dh - padInfo.top;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * sw + kw * dw - padInfo.left;
            if (iw < 0 || iw >= inW) continue;
            const dst = ((b * inH + ih) * inW + iw) * inC;
            const src = t * width + (kh * kW + kw) * inC;
            for (let ci = 0; ci < inC; ci++) d[dst + ci] = d[dst + ci]! + c[src + ci]!;
          }
        }
      }
      wasm.disposeData(cols.dataId);
    }
    return dx;
  } finally {
    wasm.disposeData(filterT.dataId);
  }
}

/**
 * Tile by copying x once and then doubling filled blocks axis by axis, innermost first. wasm's own
 * Tile computes every output index and is what makes tfjs' FusedBatchNorm gradient (which tiles
 * 1/σ to the activation's full size) the slowest part of a DenseNet training step.
 */
function tileVia(fallback: tf.KernelFunc) {
  return (args: KernelArgs): Info => {
    const wasm = args.backend as BackendWasm;
    const { x } = args.inputs as { x: Info };
    if (x.dtype === "string" || x.dtype === "complex64") return fallback(args) as Info;
    const reps = (args.attrs as unknown as tf.TileAttrs).reps;
    const rank = x.shape.length;
    const outShape = x.shape.map((d, i) => d * reps[i]!);
    const out = wasm.makeOutput(outShape, x.dtype);
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    if (src.length === 0 || dst.length === 0) return out;
    if (rank === 0) {
      dst.set(src);
      return out;
    }
    const outStrides = [...tf.util.computeStrides(outShape), 1];
    // Offset in out of the outer x index `o` over axes [0, axes), every later axis at 0.
    const offsetOf = (o: number, axes: number) => {
      let off = 0;
      for (let d = axes - 1; d >= 0; d--) {
        off += (o % x.shape[d]!) * outStrides[d]!;
        o = Math.floor(o / x.shape[d]!);
      }
      return off;
    };
    const last = x.shape[rank - 1]!;
    for (let r = 0; r < src.length / last; r++)
      dst.set(src.subarray(r * last, (r + 1) * last), offsetOf(r, rank - 1));
    for (let d = rank - 1; d >= 0; d--) {
      const block = x.shape[d]! * outStrides[d]!;
      const outer = tf.util.sizeFromShape(x.shape.slice(0, d));
      for (let o = 0; o < outer; o++) {
        const off = offsetOf(o, d);
        for (let k = 1; k < reps[d]!; k++) dst.copyWithin(off + k * block, off, off + block);
      }
    }
    return out;
  };
}

/**
 * Identity, and Cast to the dtype it already has, share the input's data as they do on the cpu
 * backend. wasm copies instead, and the engine clones every tensor a gradient saves: a copy of
 * every saved activation held until the backward pass ends, a quarter of a DenseNet169 training
 * step's peak memory.
 */
function aliasVia(fallback: tf.KernelFunc) {
  return (args: KernelArgs): Info => {
    const { x } = args.inputs as { x: Info };
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
    if (x.dtype === "string" || dtype !== x.dtype) return fallback(args) as Info;
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * Batch normalization as three broadcast kernels that wasm runs through XNNPack,
 * (x − mean)·a + offset with a = scale / √(variance + ε) per channel: about 6x faster than wasm's
 * FusedBatchNorm loop, which took a quarter of a DenseNet forward pass. Parameters that are not
 * per channel (or per tensor) go to the original kernel.
 */
function batchNormVia(fallback: tf.KernelFunc) {
  return (args: KernelArgs): Info => {
    const wasm = args.backend as BackendWasm;
    const { x, mean, variance, scale, offset } = args.inputs as Record<string, Info | undefined>;
    const channels = x!.shape[x!.shape.length - 1] ?? 1;
    const perChannel = (p: Info | undefined) =>
      p === undefined ||
      (p.shape.slice(0, -1).every((d) => d === 1) && [1, channels].includes(tf.util.sizeFromShape(p.shape)));
    if (x!.dtype !== "float32" || ![mean, variance, scale, offset].every(perChannel))
      return fallback(args) as Info;
    const epsilon = (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
    const factor = wasm.makeOutput([channels], "float32");
    const v = heap(wasm, variance!);
    const g = scale ? heap(wasm, scale) : null;
    const f = heap(wasm, factor);
    for (let c = 0; c < channels; c++)
      f[c] = (g ? g[c % g.length]! : 1) / Math.sqrt(v[c % v.length]! + epsilon);
    const centred = run(wasm, "Sub", { a: x!, b: mean! }, {});
    const scaled = run(wasm, "Multiply", { a: centred, b: factor }, {});
    wasm.disposeData(centred.dataId);
    wasm.disposeData(factor.dataId);
    if (!offset) return scaled;
    const out = run(wasm, "Add", { a: scaled, b: offset }, {});
    wasm.disposeData(scaled.dataId);
    return out;
  };
}

/**
 * SplitV as one block copy per part and outer index. wasm's version slices each part, and its
 * Slice reads the whole input out of the heap first: the gradient of every concatenation in a
 * dense block (a split of the concatenated gradient) cost as much as the block's convolutions.
 */
function splitVia(fallback: tf.KernelFunc) {
  return (args: KernelArgs): Info[] => {
    const wasm = args.backend as BackendWasm;
    const { x } = args.inputs as { x: Info };
    if (x.dtype === "string" || x.dtype === "complex64") return fallback(args) as Info[];
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, $axis));
    const inner = tf.util.sizeFromShape(x.shape.slice($axis + 1));
    const row = x.shape[$axis]! * inner;
    let start = 0;
    return sizes.map((size) => {
      const shape = [...x.shape];
      shape[$axis] = size;
      const out = wasm.makeOutput(shape, x.dtype);
      const src = wasm.typedArrayFromHeap(x);
      const dst = wasm.typedArrayFromHeap(out);
      const width = size * inner;
      for (let o = 0; o < outer; o++) {
        const from = o * row + start * inner;
        dst.set(src.subarray(from, from + width), o * width);
      }
      start += size;
      return out;
    });
  };
}

/**
 * Sum and Mean over leading axes (a batch-norm statistic or gradient: axes [0, 1, 2] of NHWC) as
 * one pass adding rows in JS. wasm's versions first transpose the reduced axes innermost with
 * its element-by-element Transpose, which made them a fifth of a DenseNet training step.
 */
function reduceLeadingVia(mean: boolean) {
  return (fallback: tf.KernelFunc) =>
    (args: KernelArgs): Info => {
      const wasm = args.backend as BackendWasm;
      const { x } = args.inputs as { x: Info };
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const k = axes.length;
      const leading = k < x.shape.length && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
      const kept = x.shape.slice(k);
      const width = tf.util.sizeFromShape(kept);
      const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
      if (x.dtype !== "float32" || !leading || rows === 0) return fallback(args) as Info;
      const acc = new Float64Array(width);
      const src = heap(wasm, x);
      let r = 0;
      // Four rows per pass over acc: a quarter of the accumulator traffic.
      for (; r + 4 <= rows; r += 4) {
        const [b0, b1, b2, b3] = [r * width, (r + 1) * width, (r + 2) * width, (r + 3) * width];
        for (let c = 0; c < width; c++) acc[c]! += src[b0 + c]! + src[b1 + c]! + src[b2 + c]! + src[b3 + c]!;
      }
      for (; r < rows; r++) {
        const base = r * width;
        for (let c = 0; c < width; c++) acc[c]! += src[base + c]!;
      }
      const out = wasm.makeOutput(keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : kept, "float32");
      const dst = heap(wasm, out);
      const scale = mean ? 1 / rows : 1;
      for (let c = 0; c < width; c++) dst[c] = acc[c]! * scale;
      return out;
    };
}

/** wasm kernels replaced here, each given the one it replaces. */
const REPLACEMENTS: [string, (original: tf.KernelFunc) => tf.KernelFunc][] = [
  ["Conv2DBackpropInput", () => conv2DBackpropInput],
  ["Tile", tileVia],
  ["Identity", aliasVia],
  ["Cast", aliasVia],
  ["FusedBatchNorm", batchNormVia],
  ["SplitV", splitVia],
  ["Sum", reduceLeadingVia(false)],
  ["Mean", reduceLeadingVia(true)],
];

let registered = false;

/**
 * Registers the Conv2DBackpropFilter tfjs-backend-wasm lacks and replaces the wasm kernels that
 * made DenseNet training on wasm slow or short of memory (see REPLACEMENTS). With them, training
 * through convolutions, batch normalization in training mode, pooling, concatenation, dense
 * layers and dropout runs on wasm. Idempotent.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const [name, replace] of REPLACEMENTS) {
    const original = kernel(name).kernelFunc;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: replace(original) });
  }
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) {
    tf.registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: conv2DBackpropFilter,
    });
  }
  registered = true;
}
