import { attr, type GraphBuilder } from "./graph-builder.ts";
import type { NodeProto } from "./proto.ts";

/**
 * int8 inference graphs in ONNX's QDQ form: QuantizeLinear/DequantizeLinear pairs around every
 * convolution (activations per-tensor uint8 from calibrated ranges, weights per-output-channel
 * symmetric int8, biases int32), which onnxruntime's optimizer fuses into QLinearConv kernels
 * (u8s8, VNNI on CPUs that have it). Everything else (BatchNormalization before a convolution,
 * pools, concatenations, the dense head) stays fp32 between a DequantizeLinear and the next
 * QuantizeLinear.
 */

/** Observed range of an activation tensor over the calibration images. */
export interface ActivationRange {
  min: number;
  max: number;
  /** Largest value of each channel (NCHW tensors), for equalization. */
  channelMax?: Float32Array;
}

export interface ActivationQuantization {
  scale: number;
  /** uint8 zero point: the code of real 0. */
  zeroPoint: number;
}

/**
 * Asymmetric uint8 parameters covering [min, max] widened to contain 0 (so zero padding and ReLU's
 * zeros are exact): scale = (max - min) / 255, zeroPoint = round(-min / scale). A tensor that was
 * always 0 gets scale 1.
 */
export function activationQuantization({ min, max }: ActivationRange): ActivationQuantization {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/** uint8 code of `x` under `q` (round half to even, as QuantizeLinear does, then saturate). */
export function quantizeValue(x: number, q: ActivationQuantization): number {
  return Math.min(255, Math.max(0, roundHalfEven(x / q.scale) + q.zeroPoint));
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface ChannelQuantization {
  /** int8 codes in [-127, 127], same layout as the input. */
  values: Int8Array;
  /** One scale per channel: max |w| / 127 over the channel (1 for an all-zero channel). */
  scales: Float32Array;
}

/**
 * Symmetric per-channel int8 weights for a tensor whose first axis is the channel (ONNX Conv's
 * [out, in, kh, kw]): w ≈ values * scales[channel], zero point 0.
 */
export function quantizePerChannel(weights: Float32Array, channels: number): ChannelQuantization {
  if (weights.length % channels !== 0) {
    throw new Error(`${weights.length} weights do not split into ${channels} channels`);
  }
  const per = weights.length / channels;
  const values = new Int8Array(weights.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let absMax = 0;
    for (let i = c * per; i < (c + 1) * per; i++) absMax = Math.max(absMax, Math.abs(weights[i]!));
    const scale = absMax > 0 ? Math.fround(absMax / 127) : 1;
    scales[c] = scale;
    for (let i = c * per; i < (c + 1) * per; i++) {
      values[i] = Math.max(-127, Math.min(127, roundHalfEven(weights[i]! / scale)));
    }
  }
  return { values, scales };
}

/** int32 bias codes for a convolution: bias / (inputScale * weightScale[c]), zero point 0. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): Int32Array {
  const out = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const q = roundHalfEven(bias[c]! / (inputScale * weightScales[c]!));
    out[c] = Math.max(-2147483647, Math.min(2147483647, q));
  }
  return out;
}

export interface QuantizeScope {
  /**
   * Keep fp32 the convolutions whose output goes into a concatenation (DenseNet's 3x3 growth
   * convolutions): their outputs are normalized per channel by every later BatchNormalization,
   * which magnifies a per-tensor uint8 step in channels of small spread.
   */
  skipConcatInputs?: boolean;
  /** Keep fp32 the convolutions this returns true for (by ONNX node name, `<layer>:Conv`). */
  skipConv?: (nodeName: string) => boolean;
  /**
   * Quantize the convolutions that read the network's input too (default false). DenseNet's 7x7
   * stem is ~3% of the work but, at int8, alone turned 3% of a trained model's test predictions
   * (the other 167 convolutions at int8: none of 96).
   */
  quantizeInputConvs?: boolean;
  /**
   * Equalize BatchNormalization -> ReLU -> Conv chains (default true): channel c of the ReLU's
   * output is divided by s_c (the BatchNormalization's gamma and beta are; ReLU commutes with
   * that) and the convolution's input channel c multiplied by it, s_c = sqrt(a_c / w_c) for the
   * channel's activation maximum a_c and weight maximum w_c, so that one per-tensor uint8 scale
   * fits channels of very different spread (cross-layer equalization).
   */
  equalize?: boolean;
}

/**
 * The convolutions an int8 graph runs at int8 and the tensors it quantizes, in graph order:
 * those convolutions' inputs and outputs (an output taken after the ReLU when a ReLU is its only
 * reader, which onnxruntime then drops into the quantization: uint8 with zero point 0 clamps at 0
 * anyway).
 */
export function quantizedTensors(nodes: readonly NodeProto[], scope: QuantizeScope = {}): string[] {
  return quantizationPlan(nodes, scope).tensors;
}

function quantizationPlan(
  nodes: readonly NodeProto[],
  scope: QuantizeScope,
): { convs: Set<NodeProto>; tensors: string[] } {
  const readers = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input) readers.set(i, [...(readers.get(i) ?? []), n]);
  const names = new Set<string>();
  const convs = new Set<NodeProto>();
  // The network's input as convolutions see it: a graph input, or its NHWC -> NCHW transpose.
  const produced = new Set(nodes.flatMap((n) => n.output));
  const inputs = new Set(nodes.flatMap((n) => n.input).filter((i) => !produced.has(i)));
  for (const n of nodes) {
    if (n.op_type === "Transpose" && inputs.has(n.input[0]!)) inputs.add(n.output[0]!);
  }
  for (const n of nodes) {
    if (n.op_type !== "Conv") continue;
    if (!scope.quantizeInputConvs && inputs.has(n.input[0]!)) continue;
    const out = n.output[0]!;
    const next = readers.get(out) ?? [];
    const output = next.length === 1 && next[0]!.op_type === "Relu" ? next[0]!.output[0]! : out;
    if (scope.skipConv?.(n.name)) continue;
    if (scope.skipConcatInputs && (readers.get(output) ?? []).some((r) => r.op_type === "Concat")) continue;
    convs.add(n);
    names.add(n.input[0]!);
    names.add(output);
  }
  // Graph order: a tensor's position is that of its producer (graph inputs first).
  const position = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output) position.set(o, i);
  });
  const tensors = [...names].sort((a, b) => (position.get(a) ?? -1) - (position.get(b) ?? -1));
  return { convs, tensors };
}

/**
 * Rewrites the fp32 graph in `g` into QDQ form with the calibrated `ranges` (one per name of
 * quantizedTensors): a QuantizeLinear + DequantizeLinear right after each such tensor's producer,
 * read by all its readers; each Conv's weights become int8 initializers + DequantizeLinear
 * (axis 0) and its bias int32 + DequantizeLinear.
 */
export function insertQdq(
  g: GraphBuilder,
  ranges: ReadonlyMap<string, ActivationRange>,
  scope: QuantizeScope = {},
): void {
  const { convs, tensors } = quantizationPlan(g.nodes, scope);
  const equalized = scope.equalize === false ? new Map() : equalize(g, convs, ranges);
  const params = new Map<string, ActivationQuantization>();
  for (const t of tensors) {
    const range = equalized.get(t) ?? ranges.get(t);
    if (!range) throw new Error(`int8 export: no calibrated range for ${t}`);
    params.set(t, activationQuantization(range));
  }
  const dequantized = new Map<string, string>();
  const qdq = (t: string): NodeProto[] => {
    const q = params.get(t)!;
    const scale = g.tensor(`${t}_scale`, [], Float32Array.of(q.scale));
    const zeroPoint = g.tensor(`${t}_zero_point`, [], Uint8Array.of(q.zeroPoint));
    const quantize = g.detachedNode("QuantizeLinear", [t, scale, zeroPoint], `${t}_q`);
    const dequantize = g.detachedNode("DequantizeLinear", [quantize.output[0]!, scale, zeroPoint], `${t}_dq`);
    dequantized.set(t, dequantize.output[0]!);
    return [quantize, dequantize];
  };

  const out: NodeProto[] = [];
  const produced = new Set(g.nodes.flatMap((n) => n.output));
  for (const t of tensors) if (!produced.has(t)) out.push(...qdq(t));
  for (const node of g.nodes) {
    node.input = node.input.map((i) => dequantized.get(i) ?? i);
    if (convs.has(node))
      out.push(...quantizeConvWeights(g, node, params.get(tensorBeforeDq(node.input[0]!, dequantized))!));
    out.push(node);
    for (const o of node.output) if (params.has(o)) out.push(...qdq(o));
  }
  g.nodes.splice(0, g.nodes.length, ...out);
}

function tensorBeforeDq(name: string, dequantized: Map<string, string>): string {
  for (const [t, dq] of dequantized) if (dq === name) return t;
  throw new Error(`int8 export: convolution input ${name} is not dequantized`);
}

/** Replaces a Conv's fp32 weight (and bias) initializers by int8 (int32) ones behind DequantizeLinear. */
function quantizeConvWeights(g: GraphBuilder, conv: NodeProto, input: ActivationQuantization): NodeProto[] {
  const [, kernelName, biasName] = conv.input as [string, string, string | undefined];
  const kernel = g.constant(kernelName);
  if (!kernel || !(kernel.data instanceof Float32Array)) {
    throw new Error(`int8 export: ${conv.name} has no constant fp32 kernel`);
  }
  const channels = kernel.dims[0]!;
  const { values, scales } = quantizePerChannel(kernel.data, channels);
  g.dropConstant(kernelName);
  const scaleName = g.tensor(`${kernelName}_scale`, [channels], scales);
  const nodes: NodeProto[] = [];
  const dq = (
    name: string,
    data: Int8Array | Int32Array,
    dims: number[],
    scale: string,
    zero: Int8Array | Int32Array,
  ) => {
    const q = g.tensor(`${name}_quantized`, dims, data);
    const zeroPoint = g.tensor(`${name}_zero_point`, [channels], zero);
    const node = g.detachedNode("DequantizeLinear", [q, scale, zeroPoint], `${name}_dq`, [
      attr.int("axis", 0),
    ]);
    nodes.push(node);
    return node.output[0]!;
  };
  conv.input[1] = dq(kernelName, values, kernel.dims, scaleName, new Int8Array(channels));
  if (biasName) {
    const bias = g.constant(biasName);
    if (!bias || !(bias.data instanceof Float32Array))
      throw new Error(`int8 export: ${conv.name} has no fp32 bias`);
    g.dropConstant(biasName);
    const biasScales = Float32Array.from(scales, (s) => s * input.scale);
    const biasScale = g.tensor(`${biasName}_scale`, [channels], biasScales);
    conv.input[2] = dq(
      biasName,
      quantizeBias(bias.data, input.scale, scales),
      [channels],
      biasScale,
      new Int32Array(channels),
    );
  }
  return nodes;
}

/**
 * Cross-layer equalization of each BatchNormalization -> ReLU -> int8 Conv chain whose links
 * have no other readers (see QuantizeScope.equalize); rewrites the constants in `g` and returns
 * the ReLU outputs' new ranges.
 */
function equalize(
  g: GraphBuilder,
  convs: ReadonlySet<NodeProto>,
  ranges: ReadonlyMap<string, ActivationRange>,
): Map<string, ActivationRange> {
  const producer = new Map<string, NodeProto>();
  const readers = new Map<string, number>();
  for (const n of g.nodes) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  const out = new Map<string, ActivationRange>();
  for (const conv of convs) {
    const t = conv.input[0]!;
    const relu = producer.get(t);
    const bn = relu?.op_type === "Relu" ? producer.get(relu.input[0]!) : undefined;
    const range = ranges.get(t);
    if (bn?.op_type !== "BatchNormalization" || !range?.channelMax) continue;
    if (readers.get(t) !== 1 || readers.get(bn.output[0]!) !== 1) continue;
    const [gammaConst, betaConst] = [g.constant(bn.input[1]!), g.constant(bn.input[2]!)];
    const kernel = g.constant(conv.input[1]!);
    if (
      !(
        gammaConst?.data instanceof Float32Array &&
        betaConst?.data instanceof Float32Array &&
        kernel?.data instanceof Float32Array
      )
    ) {
      continue;
    }
    // Private copies: BatchNormalization constants share the model's own weight arrays.
    const gamma = Float32Array.from(gammaConst.data);
    const beta = Float32Array.from(betaConst.data);
    gammaConst.data = gamma;
    betaConst.data = beta;
    const [outC, inC] = kernel.dims as [number, number];
    const per = kernel.data.length / (outC * inC);
    if (range.channelMax.length !== inC || gamma.length !== inC) continue;
    const weightMax = new Float32Array(inC);
    for (let o = 0; o < outC; o++)
      for (let c = 0; c < inC; c++)
        for (let k = (o * inC + c) * per; k < (o * inC + c + 1) * per; k++) {
          weightMax[c] = Math.max(weightMax[c]!, Math.abs(kernel.data[k]!));
        }
    let max = 0;
    for (let c = 0; c < inC; c++) {
      const a = range.channelMax[c]!;
      const w = weightMax[c]!;
      const s = a > 0 && w > 0 ? Math.sqrt(a / w) : 1;
      gamma[c]! /= s;
      beta[c]! /= s;
      for (let o = 0; o < outC; o++)
        for (let k = (o * inC + c) * per; k < (o * inC + c + 1) * per; k++) kernel.data[k]! *= s;
      max = Math.max(max, a / s);
    }
    out.set(t, { min: 0, max });
  }
  return out;
}
