import type * as tf from "@tensorflow/tfjs";
import { exportToOnnx } from "./export.ts";
import { collectLayerGraph, type LayerGraph } from "./layer-graph.ts";
import type { ActivationRange } from "./quantize.ts";
import { loadOnnxRuntime } from "./session.ts";

/** Percentile calibration keeps all but 1 in 100,000 values of each activation inside its range. */
export const DEFAULT_PERCENTILE = 0.99999;

export type CalibrationMethod = "minmax" | "percentile";

export interface Calibration {
  /** Range of each activation the int8 graph quantizes, by tensor name. */
  ranges: Map<string, ActivationRange>;
  images: number;
  method: CalibrationMethod;
  /** For percentile: the fraction of values each range keeps inside on each side. */
  percentile?: number;
  /** What the ranges came from (other percentiles can be read off them). */
  histograms: Map<string, ValueHistogram>;
}

/**
 * A histogram of float32 values by their top 13 bits (sign, exponent, 4 mantissa bits): bins
 * about 6% wide at any magnitude, filled without arithmetic, from which tail percentiles come.
 */
export class ValueHistogram {
  readonly counts = new Float64Array(8192);
  total = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Largest value of each channel, for NCHW tensors (see `add`'s dims). */
  channelMax: Float32Array | null = null;

  add(values: Float32Array, dims?: readonly number[]): void {
    if (dims && dims.length === 4) {
      const [n, c, h, w] = dims as [number, number, number, number];
      this.channelMax ??= new Float32Array(c).fill(Number.NEGATIVE_INFINITY);
      const plane = h * w;
      for (let b = 0; b < n; b++)
        for (let ch = 0; ch < c; ch++) {
          let m = this.channelMax[ch]!;
          for (let i = (b * c + ch) * plane, end = i + plane; i < end; i++)
            if (values[i]! > m) m = values[i]!;
          this.channelMax[ch] = m;
        }
    }
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const counts = this.counts;
    let { min, max } = this;
    for (let i = 0; i < bits.length; i++) {
      counts[bits[i]! >>> 19]!++;
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.min = min;
    this.max = max;
    this.total += values.length;
  }

  /**
   * [lo, hi] leaving at most (1 - p) of the values above hi and as many below lo (bin edges,
   * rounded outwards, within the observed min and max).
   */
  range(p: number): ActivationRange {
    const tail = (1 - p) * this.total;
    const edge = (bin: number) => {
      const b = new Uint32Array([bin << 19]);
      return new Float32Array(b.buffer)[0]!;
    };
    // Positive values: bins 0..4095 (ascending); negative: 4096..8191 (ascending magnitude).
    // A side with no more than the tail of values is clipped to 0 (or to the nearest value).
    let above = 0;
    let hi = Math.min(this.max, 0);
    for (let bin = 4095; bin >= 0; bin--) {
      above += this.counts[bin]!;
      if (above > tail) {
        hi = Math.min(this.max, edge(bin + 1));
        break;
      }
    }
    let below = 0;
    let lo = Math.max(this.min, 0);
    for (let bin = 8191; bin >= 4096; bin--) {
      below += this.counts[bin]!;
      if (below > tail) {
        lo = Math.max(this.min, edge(bin + 1));
        break;
      }
    }
    return { min: lo, max: hi };
  }
}

/**
 * Observes the activations an int8 export quantizes: runs the fp32 graph (with those activations
 * as extra outputs) on onnxruntime over `batches` of NHWC inputs and keeps each one's min and max.
 */
export async function calibrateActivations(
  model: tf.LayersModel | LayerGraph,
  batches: AsyncIterable<{ x: Float32Array; batch: number }>,
  options: { threads?: number; method?: CalibrationMethod; percentile?: number } = {},
): Promise<Calibration> {
  const graph = "calls" in model ? model : collectLayerGraph(model);
  const exported = exportToOnnx(graph, { precision: "calibration" });
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(exported.bytes, {
    executionProviders: ["cpu"],
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
  const histograms = new Map(exported.quantizedTensors.map((t) => [t, new ValueHistogram()]));
  let images = 0;
  try {
    for await (const { x, batch } of batches) {
      const feeds = { [exported.inputName]: new ort.Tensor("float32", x, [batch, ...exported.inputShape]) };
      const outputs = await session.run(feeds, exported.quantizedTensors);
      for (const t of exported.quantizedTensors) {
        histograms.get(t)!.add(outputs[t]!.data as Float32Array, outputs[t]!.dims);
        outputs[t]!.dispose();
      }
      images += batch;
    }
  } finally {
    await session.release();
  }
  if (images === 0) throw new Error("calibration: no images");
  const method = options.method ?? "percentile";
  const percentile = options.percentile ?? DEFAULT_PERCENTILE;
  const ranges = new Map<string, ActivationRange>();
  for (const [t, h] of histograms) {
    const range = method === "minmax" ? { min: h.min, max: h.max } : h.range(percentile);
    ranges.set(t, h.channelMax ? { ...range, channelMax: h.channelMax } : range);
  }
  return { ranges, images, method, ...(method === "percentile" ? { percentile } : {}), histograms };
}
