import type * as tf from "@tensorflow/tfjs";
import { attr, GraphBuilder } from "./graph-builder.ts";
import { collectLayerGraph, type LayerCall, type LayerGraph, type WeightArray } from "./layer-graph.ts";
import { DataType, encodeModel, type NodeProto, type ValueInfoProto } from "./proto.ts";
import { type ActivationRange, insertQdq, type QuantizeScope, quantizedTensors } from "./quantize.ts";

/** Bump whenever the graph exported for a given model changes, so cached .onnx files are rebuilt. */
export const EXPORTER_VERSION = 1;
/** Opset 17: BatchNormalization-15, Softmax-13 (one axis), Pad-13 with pads as an input. */
export const OPSET = 17;
/** IR version 8 goes with opset 17. */
const IR_VERSION = 8;
const BATCH_DIM = "batch";

export interface OnnxExport {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  /** Per-example shapes, channels last as in tfjs (the graph takes and gives NHWC). */
  inputShape: number[];
  outputShape: number[];
  batchNorms: number;
  /** BatchNormalizations folded into the convolution before them. */
  foldedBatchNorms: number;
  /** The activations an int8 export may quantize (extra outputs, in this order, with `calibration`). */
  quantizedTensors: string[];
}

export interface ExportOptions {
  /**
   * fp32 (default); "calibration": the fp32 graph with every activation that int8 quantizes as an
   * extra output after the model's own; "int8": QDQ with `ranges` (see quantize.ts).
   */
  precision?: "fp32" | "calibration" | "int8";
  /** Calibrated range of each of `quantizedTensors`, for int8. */
  ranges?: ReadonlyMap<string, ActivationRange>;
  /** Which convolutions int8 leaves at fp32 (default: none). */
  scope?: QuantizeScope;
}

export const SUPPORTED_LAYERS = [
  "InputLayer",
  "ZeroPadding2D",
  "Conv2D",
  "BatchNormalization",
  "Activation",
  "MaxPooling2D",
  "AveragePooling2D",
  "Concatenate",
  "GlobalAveragePooling2D",
  "Dense",
  "Dropout",
] as const;

/**
 * Exports a tfjs functional model (a DenseNet from buildDenseNet, or a slice of one) to an ONNX
 * inference graph: batch dimension symbolic, NHWC in and out like tfjs, NCHW inside (one
 * Transpose at each end) because that is onnxruntime's native conv layout.
 */
export function exportToOnnx(model: tf.LayersModel | LayerGraph, options: ExportOptions = {}): OnnxExport {
  const graph = "calls" in model ? model : collectLayerGraph(model);
  const inputShape = staticShape(graph.inputShape, `input of ${graph.name}`);
  if (inputShape.length !== 3) {
    throw new Error(
      `ONNX export: input of ${graph.name} has shape ${JSON.stringify(graph.inputShape)}; expected [batch, height, width, channels]`,
    );
  }
  const g = new GraphBuilder();
  const inputName = g.unique("input");
  const converter = new Converter(g, graph);
  converter.values.set(graph.inputId, {
    name: g.node("Transpose", [inputName], "input_nchw", [attr.ints("perm", [0, 3, 1, 2])]).output[0]!,
    rank: 4,
  });
  for (const call of graph.calls) converter.convert(call);

  const last = graph.calls[graph.calls.length - 1];
  if (!last) throw new Error(`ONNX export: ${graph.name} has no layers`);
  const outputShape = staticShape(last.outputShape, `output of ${graph.name}`);
  const result = converter.use(graph.outputId);
  const outputName =
    result.rank === 4
      ? g.node("Transpose", [result.name], "output_nhwc", [attr.ints("perm", [0, 2, 3, 1])]).output[0]!
      : result.name;

  const precision = options.precision ?? "fp32";
  // Calibration observes every tensor any scope may quantize.
  const quantized = quantizedTensors(g.nodes, { quantizeInputConvs: true });
  if (precision === "int8") {
    if (!options.ranges) throw new Error("int8 export: no calibrated ranges given");
    insertQdq(g, options.ranges, options.scope);
  }
  const extraOutputs: ValueInfoProto[] =
    precision === "calibration"
      ? quantized.map((name) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT } } }))
      : [];
  const bytes = encodeModel({
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: OPSET }],
    producer_name: "cxrlab",
    producer_version: String(EXPORTER_VERSION),
    doc_string: `${graph.name}: BatchNormalization folded where it follows a convolution${precision === "int8" ? "; int8 QDQ convolutions" : ""}`,
    graph: {
      name: graph.name,
      node: g.nodes,
      initializer: g.initializers(),
      input: [valueInfo(inputName, inputShape)],
      output: [valueInfo(outputName, outputShape), ...extraOutputs],
    },
  });
  return {
    bytes,
    inputName,
    outputName,
    inputShape,
    outputShape,
    batchNorms: converter.batchNorms,
    foldedBatchNorms: converter.foldedBatchNorms,
    quantizedTensors: quantized,
  };
}

function valueInfo(name: string, shape: number[]): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DataType.FLOAT,
        shape: { dim: [{ dim_param: BATCH_DIM }, ...shape.map((d) => ({ dim_value: d }))] },
      },
    },
  };
}

function staticShape(shape: (number | null)[], what: string): number[] {
  const rest = shape.slice(1);
  if (rest.some((d) => d === null)) {
    throw new Error(
      `ONNX export: ${what} has shape ${JSON.stringify(shape)}; all but the batch dimension must be known`,
    );
  }
  return rest as number[];
}

/** A convolution node whose weights can still be rewritten (BatchNormalization folding). */
interface ConvRecord {
  node: NodeProto;
  kernel: Float32Array;
  bias: Float32Array | null;
  outChannels: number;
}

/** A converted tensor: its ONNX name and rank; rank-4 tensors are NCHW. */
interface Value {
  name: string;
  rank: number;
  /** Set when the value is a linear convolution's output (and so can absorb a BatchNormalization). */
  conv?: ConvRecord;
  /** Known to hold no negative value (a ReLU's output, ...): zero padding before a max pool is then -inf padding. */
  nonNegative?: boolean;
  /** A ZeroPadding2D not emitted yet: a following convolution or pool takes it as its own padding. */
  zeroPad?: { source: Value; pads: Pads; emitted?: Value };
}

type Pads = [number, number, number, number]; // ONNX order: top, left, bottom, right

/** NHWC axis -> NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1];

class Converter {
  readonly values = new Map<number, Value>();
  batchNorms = 0;
  foldedBatchNorms = 0;

  constructor(
    private readonly g: GraphBuilder,
    private readonly graph: LayerGraph,
  ) {}

  /** The value of tensor `id`, with any pending zero padding emitted as a Pad node. */
  use(id: number): Value {
    const v = this.values.get(id);
    if (!v) throw new Error(`ONNX export: tensor ${id} used before it is computed`);
    return this.materialize(v);
  }

  private materialize(v: Value): Value {
    if (!v.zeroPad) return v;
    if (!v.zeroPad.emitted) {
      const [t, l, b, r] = v.zeroPad.pads;
      const pads = this.g.int64s(`${v.name}_pads`, [0, 0, t, l, 0, 0, b, r]);
      v.zeroPad.emitted = {
        name: this.g.node("Pad", [v.zeroPad.source.name, pads], v.name).output[0]!,
        rank: 4,
        ...(v.zeroPad.source.nonNegative ? { nonNegative: true } : {}),
      };
    }
    return v.zeroPad.emitted;
  }

  convert(call: LayerCall): void {
    const value = this.layer(call);
    this.values.set(call.id, value);
  }

  private layer(call: LayerCall): Value {
    const c = call.config;
    if ("dataFormat" in c && c.dataFormat !== undefined && c.dataFormat !== "channelsLast") {
      unsupported(call, `dataFormat ${String(c.dataFormat)}`);
    }
    switch (call.className) {
      case "InputLayer":
        unsupported(call, "a second input layer");
        break;
      case "Dropout":
        return this.values.get(this.single(call))!;
      case "ZeroPadding2D": {
        const [[t, b], [l, r]] = c.padding as [[number, number], [number, number]];
        const source = this.use(this.single(call));
        return { name: call.name, rank: 4, zeroPad: { source, pads: [t, l, b, r] } };
      }
      case "Conv2D":
        return this.conv2d(call);
      case "BatchNormalization":
        return this.batchNorm(call);
      case "Activation":
        return this.activation(call, this.use(this.single(call)), c.activation as string);
      case "MaxPooling2D":
      case "AveragePooling2D":
        return this.pool(call);
      case "Concatenate": {
        const inputs = call.inputs.map((id) => this.use(id));
        const rank = inputs[0]!.rank;
        let axis = c.axis as number;
        if (axis < 0) axis += rank;
        const onnxAxis = rank === 4 ? NCHW_AXIS[axis]! : axis;
        return {
          name: this.g.node(
            "Concat",
            inputs.map((v) => v.name),
            call.name,
            [attr.int("axis", onnxAxis)],
          ).output[0]!,
          rank,
          nonNegative: inputs.every((v) => v.nonNegative),
        };
      }
      case "GlobalAveragePooling2D": {
        if (c.keepDims) unsupported(call, "keepDims");
        const x = this.use(this.single(call));
        const pooled = this.g.node("GlobalAveragePool", [x.name], call.name).output[0]!;
        return {
          name: this.g.node("Flatten", [pooled], `${call.name}_flat`, [attr.int("axis", 1)]).output[0]!,
          rank: 2,
        };
      }
      case "Dense":
        return this.dense(call);
    }
    return unsupported(call);
  }

  private single(call: LayerCall): number {
    if (call.inputs.length !== 1) unsupported(call, `${call.inputs.length} inputs`);
    return call.inputs[0]!;
  }

  private conv2d(call: LayerCall): Value {
    const c = call.config as {
      filters: number;
      kernelSize: number[];
      strides: number[];
      padding: string;
      dilationRate: number | number[];
      activation: string;
      useBias: boolean;
      groups?: number;
    };
    if ((c.groups ?? 1) !== 1) unsupported(call, `groups ${c.groups}`);
    const raw = this.values.get(this.single(call))!;
    // A zero padding right before the convolution becomes the convolution's own padding.
    const x = raw.zeroPad ? raw.zeroPad.source : raw;
    const extra: Pads = raw.zeroPad ? raw.zeroPad.pads : [0, 0, 0, 0];
    const [kh, kw] = c.kernelSize as [number, number];
    const [sh, sw] = c.strides as [number, number];
    const [dh, dw] = (
      typeof c.dilationRate === "number" ? [c.dilationRate, c.dilationRate] : c.dilationRate
    ) as [number, number];
    const [, h, w, inChannels] = call.inputShapes[0] as [null, number, number, number];
    const own = this.padding(call, c.padding, [h, w], [kh, kw], [sh, sw], [dh, dw]);
    const pads = own.map((p, i) => p + extra[i]!);

    const kernelIn = call.weights.get("kernel")!;
    const kernel = hwioToOihw(kernelIn, kh, kw, inChannels, c.filters);
    const bias = c.useBias ? Float32Array.from(call.weights.get("bias")!.data) : null;
    const kernelName = this.g.floats(`${call.name}_kernel`, [c.filters, inChannels, kh, kw], kernel);
    const inputs = [x.name, kernelName];
    if (bias) inputs.push(this.g.floats(`${call.name}_bias`, [c.filters], bias));
    const node = this.g.node("Conv", inputs, call.name, [
      attr.ints("kernel_shape", [kh, kw]),
      attr.ints("strides", [sh, sw]),
      attr.ints("dilations", [dh, dw]),
      attr.ints("pads", pads),
    ]);
    const out: Value = { name: node.output[0]!, rank: 4 };
    if (c.activation !== "linear") return this.activation(call, out, c.activation);
    out.conv = { node, kernel, bias, outChannels: c.filters };
    return out;
  }

  /**
   * TF's padding as explicit ONNX pads: "same" puts the odd pixel at the bottom/right, which
   * ONNX's SAME_UPPER also does but only explicit pads combine with a folded ZeroPadding2D.
   */
  private padding(
    call: LayerCall,
    padding: string,
    [h, w]: [number, number],
    [kh, kw]: [number, number],
    [sh, sw]: [number, number],
    [dh, dw]: [number, number] = [1, 1],
  ): Pads {
    if (padding === "valid") return [0, 0, 0, 0];
    if (padding !== "same") unsupported(call, `padding ${padding}`);
    const [top, bottom] = samePads(h, kh, sh, dh);
    const [left, right] = samePads(w, kw, sw, dw);
    return [top, left, bottom, right];
  }

  private batchNorm(call: LayerCall): Value {
    this.batchNorms++;
    const c = call.config as { axis: number | number[]; epsilon: number; center: boolean; scale: boolean };
    const id = this.single(call);
    const x = this.use(id);
    const rank = call.inputShapes[0]!.length;
    const axis = Array.isArray(c.axis) ? c.axis : [c.axis];
    if (axis.length !== 1 || (axis[0]! !== -1 && axis[0]! !== rank - 1)) {
      unsupported(call, `axis ${JSON.stringify(c.axis)} (only the channel axis)`);
    }
    const mean = call.weights.get("moving_mean")!.data;
    const variance = call.weights.get("moving_variance")!.data;
    const channels = mean.length;
    const gamma = c.scale ? call.weights.get("gamma")!.data : new Float32Array(channels).fill(1);
    const beta = c.center ? call.weights.get("beta")!.data : new Float32Array(channels);

    // Conv -> BN with the conv's output read by nothing else: scale the conv's filters instead.
    if (x.conv && this.graph.readers.get(id) === 1) {
      foldIntoConv(x.conv, gamma, beta, mean, variance, c.epsilon, this.g, call.name);
      this.foldedBatchNorms++;
      return { name: x.name, rank: x.rank };
    }
    const params = [gamma, beta, mean, variance].map((data, i) =>
      this.g.floats(`${call.name}_${["gamma", "beta", "mean", "variance"][i]}`, [channels], data),
    );
    return {
      name: this.g.node("BatchNormalization", [x.name, ...params], call.name, [
        attr.float("epsilon", c.epsilon),
      ]).output[0]!,
      rank: x.rank,
    };
  }

  private activation(call: LayerCall, x: Value, activation: string): Value {
    const name = `${call.name}_${activation}`;
    switch (activation) {
      case "linear":
        return x;
      case "relu":
        return { name: this.g.node("Relu", [x.name], name).output[0]!, rank: x.rank, nonNegative: true };
      case "sigmoid":
        return { name: this.g.node("Sigmoid", [x.name], name).output[0]!, rank: x.rank, nonNegative: true };
      case "tanh":
        return { name: this.g.node("Tanh", [x.name], name).output[0]!, rank: x.rank };
      case "softmax": {
        const axis = x.rank === 4 ? 1 : x.rank - 1;
        const node = this.g.node("Softmax", [x.name], name, [attr.int("axis", axis)]);
        return { name: node.output[0]!, rank: x.rank, nonNegative: true };
      }
    }
    return unsupported(call, `activation ${activation}`);
  }

  /**
   * onnxruntime folds a zero Pad into a following pool's own padding (its PadFusion), which pools
   * ignore, so the padding is folded here only where that is exact: before a max pool of
   * non-negative values, and before a "valid" average pool (then counting the padding).
   */
  private pool(call: LayerCall): Value {
    const c = call.config as { poolSize: number[]; strides: number[] | null; padding: string };
    const max = call.className === "MaxPooling2D";
    const raw = this.values.get(this.single(call))!;
    const zeroPad = raw.zeroPad;
    if (zeroPad && max && !zeroPad.source.nonNegative) {
      unsupported(call, "zero padding before max pooling of values that may be negative");
    }
    if (zeroPad && !max && c.padding !== "valid")
      unsupported(call, `zero padding before a "${c.padding}" average pool`);
    const x = zeroPad ? zeroPad.source : raw;
    const [kh, kw] = c.poolSize as [number, number];
    const [sh, sw] = (c.strides ?? c.poolSize) as [number, number];
    const [, h, w] = call.inputShapes[0] as [null, number, number, number];
    const own = this.padding(call, c.padding, [h, w], [kh, kw], [sh, sw]);
    const pads = own.map((p, i) => p + (zeroPad?.pads[i] ?? 0));
    if (pads.some((p, i) => p >= (i % 2 === 0 ? kh : kw))) {
      unsupported(
        call,
        `padding ${JSON.stringify(pads)} not smaller than the pool ${kh}x${kw} (onnxruntime rejects it)`,
      );
    }
    const attributes = [
      attr.ints("kernel_shape", [kh, kw]),
      attr.ints("strides", [sh, sw]),
      attr.ints("pads", pads),
      // TF's "same" average leaves its padding out of the count; ZeroPadding2D's zeros count.
      ...(max ? [] : [attr.int("count_include_pad", zeroPad ? 1 : 0)]),
    ];
    const node = this.g.node(max ? "MaxPool" : "AveragePool", [x.name], call.name, attributes);
    return { name: node.output[0]!, rank: 4, ...(x.nonNegative ? { nonNegative: true } : {}) };
  }

  private dense(call: LayerCall): Value {
    const c = call.config as { units: number; activation: string; useBias: boolean };
    const x = this.use(this.single(call));
    if (x.rank !== 2) unsupported(call, `input of rank ${x.rank} (only [batch, features])`);
    const kernel = call.weights.get("kernel")!;
    const inputs = [x.name, this.g.floats(`${call.name}_kernel`, kernel.shape, kernel.data)];
    if (c.useBias) inputs.push(this.g.floats(`${call.name}_bias`, [c.units], call.weights.get("bias")!.data));
    const out = { name: this.g.node("Gemm", inputs, call.name).output[0]!, rank: 2 };
    return this.activation(call, out, c.activation);
  }
}

function unsupported(call: LayerCall, what?: string): never {
  const detail = what
    ? `: ${what} is not supported`
    : ` is not supported (supported: ${SUPPORTED_LAYERS.join(", ")})`;
  throw new Error(`ONNX export: layer ${call.name} (${call.className})${detail}`);
}

function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** tfjs' [kh, kw, in, out] kernel as ONNX's [out, in, kh, kw]. */
function hwioToOihw(kernel: WeightArray, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const src = kernel.data;
  const out = new Float32Array(src.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++) {
        const base = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = src[base + o]!;
      }
  return out;
}

/**
 * BN(conv(x)) = s * conv(x) + (beta - s * mean) with s = gamma / sqrt(var + eps) per output
 * channel, which is conv(x) with filters scaled by s and that bias.
 */
function foldIntoConv(
  conv: ConvRecord,
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  g: GraphBuilder,
  name: string,
): void {
  const perFilter = conv.kernel.length / conv.outChannels;
  const bias = new Float32Array(conv.outChannels);
  for (let o = 0; o < conv.outChannels; o++) {
    const s = gamma[o]! / Math.sqrt(variance[o]! + epsilon);
    for (let k = o * perFilter; k < (o + 1) * perFilter; k++) conv.kernel[k]! *= s;
    bias[o] = beta[o]! + s * ((conv.bias?.[o] ?? 0) - mean[o]!);
  }
  if (conv.bias) conv.bias.set(bias);
  else {
    conv.node.input.push(g.floats(`${name}_folded_bias`, [conv.outChannels], bias));
    conv.bias = bias;
  }
}
