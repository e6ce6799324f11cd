import { attr, GraphBuilder } from "./graph-builder.ts";
import type { LayerCall, LayerGraph } from "./layer-graph.ts";
import { DataType, encodeModel, type ValueInfoProto } from "./proto.ts";

/*
 * The training graph of a model's trainable part (a slice from model/slice.ts whose input is the
 * cached output of the frozen prefix): the forward pass in training mode, softmax cross-entropy
 * from the logits, and the backward pass written out by hand in plain ONNX ops, so onnxruntime
 * runs forward and backward on its own CPU kernels (MLAS) instead of tfjs-wasm.
 *
 * Image activations are kept as rows [batch·H·W, C], channels last as in tfjs: a 1×1 convolution
 * or a dense layer is one MatMul, a k×k one a MatMul on an im2col made of Pad, Slice and Concat,
 * batch normalization reduces over axis 0 and a concatenation is a Concat on axis 1. The batch
 * size is symbolic; the weights are graph inputs, fed afresh on every step.
 */

/** Bump when the graph built for a given model changes. */
export const TRAINING_GRAPH_VERSION = 1;
const OPSET = 17;
const IR_VERSION = 8;

export const TRAINABLE_LAYERS = [
  "BatchNormalization",
  "Activation",
  "Conv2D",
  "Concatenate",
  "GlobalAveragePooling2D",
  "AveragePooling2D",
  "Dense",
  "Dropout",
] as const;

export interface TrainingGraphOptions {
  /** Per BatchNormalization layer name: batch statistics (training mode) or the moving ones. */
  batchStatistics: (layer: string) => boolean;
  /** Whether the layer's weights are trained (gradients are output for them). */
  trainable: (layer: string) => boolean;
}

export interface GraphWeight {
  /** Graph input that takes its value (shape as the layer holds it). */
  input: string;
  layer: string;
  /** The weight's own name in the layer (`kernel`, `gamma`, `moving_mean`, ...). */
  key: string;
  shape: number[];
  /** Graph output with its gradient (same shape), when trained. */
  gradient: string | null;
}

export interface TrainingGraph {
  bytes: Uint8Array;
  /** Features [n, ...inputShape]. */
  input: string;
  inputShape: number[];
  /** Soft targets [n, classes] (one-hot, or label-smoothed). */
  targets: string;
  /** [1]: the weight of each example's loss, e.g. 1/batch size (gradients are scaled by it). */
  lossScale: string;
  /** Dropout keep masks [n, units] (0 or 1/(1 − rate)), in forward order. */
  dropouts: { input: string; layer: string; shape: number[] }[];
  weights: GraphWeight[];
  /** Outputs: Σ of the examples' losses [1], and the class probabilities [n, classes]. */
  lossSum: string;
  probabilities: string;
  /** Per batch-statistics BatchNormalization: outputs with the batch mean and (biased) variance [C]. */
  batchMoments: { layer: string; mean: string; variance: string }[];
  classes: number;
}

/** Why the graph cannot be built for `graph` (a layer kind or setting it does not cover), or null. */
export function unsupportedForTraining(graph: LayerGraph): string | null {
  for (const call of graph.calls) {
    const c = call.config;
    if (!(TRAINABLE_LAYERS as readonly string[]).includes(call.className))
      return `layer ${call.name} (${call.className})`;
    if (call.className === "Conv2D") {
      const [kh, kw] = c.kernelSize as number[];
      const strides = c.strides as number[];
      const dilation = typeof c.dilationRate === "number" ? [c.dilationRate] : (c.dilationRate as number[]);
      if (kh !== kw || kh! % 2 === 0 || strides.some((s) => s !== 1) || dilation.some((d) => d !== 1))
        return `convolution ${call.name}: only odd square kernels, stride 1, no dilation`;
      if (kh !== 1 && c.padding !== "same") return `convolution ${call.name}: padding ${c.padding}`;
    }
    const activation = c.activation as string | undefined;
    if (activation && !["linear", "relu", "softmax"].includes(activation))
      return `activation ${activation} of ${call.name}`;
    if (activation === "softmax" && call !== graph.calls[graph.calls.length - 1])
      return `softmax before the last layer (${call.name})`;
    if (call.className === "AveragePooling2D") {
      const [ph, pw] = c.poolSize as number[];
      const [sh, sw] = c.strides as number[];
      const [, h, w] = call.inputShapes[0]! as number[];
      if (ph !== pw || sh !== ph || sw !== pw || c.padding !== "valid" || h! % ph! !== 0 || w! % pw! !== 0)
        return `pooling ${call.name}: only p×p windows with stride p that tile the image`;
    }
    if (call.className === "Concatenate" && ![-1, 3].includes(c.axis as number))
      return `concatenation ${call.name} on axis ${c.axis}`;
  }
  const last = graph.calls[graph.calls.length - 1];
  if (last?.className !== "Dense" || last.config.activation !== "softmax")
    return "the model does not end in a softmax dense layer";
  return null;
}

/** A value in the graph: rows [n·h·w, c] for image tensors (h, w set) or [n, c]. */
interface Value {
  name: string;
  channels: number;
  spatial: [number, number] | null;
}

/** What the backward pass of one call needs from its forward pass. */
type Saved = Record<string, string>;

export function buildTrainingGraph(graph: LayerGraph, options: TrainingGraphOptions): TrainingGraph {
  const why = unsupportedForTraining(graph);
  if (why) throw new Error(`training graph for ${graph.name}: unsupported ${why}`);
  return new TrainingGraphBuilder(graph, options).build();
}

class TrainingGraphBuilder {
  private readonly g = new GraphBuilder();
  private readonly values = new Map<number, Value>();
  private readonly saved = new Map<LayerCall, Saved>();
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly weights: GraphWeight[] = [];
  private readonly dropouts: TrainingGraph["dropouts"] = [];
  private readonly batchMoments: TrainingGraph["batchMoments"] = [];
  private readonly grads = new Map<number, string[]>();
  private readonly constants = new Map<string, string>();

  constructor(
    private readonly graph: LayerGraph,
    private readonly options: TrainingGraphOptions,
  ) {}

  build(): TrainingGraph {
    const { g, graph } = this;
    const inputShape = graph.inputShape.slice(1) as number[];
    const input = this.declare("features", ["n", ...inputShape]);
    const rank = inputShape.length;
    const channels = inputShape[rank - 1]!;
    const spatial = rank === 3 ? ([inputShape[0]!, inputShape[1]!] as [number, number]) : null;
    const rows = g.node("Reshape", [input, this.ints([-1, channels])], "input_rows").output[0]!;
    this.values.set(graph.inputId, { name: rows, channels, spatial });

    for (const call of graph.calls) this.values.set(call.id, this.forward(call));

    const last = graph.calls[graph.calls.length - 1]!;
    const logits = this.values.get(last.id)!;
    const classes = logits.channels;
    const targets = this.declare("targets", ["n", classes]);
    const lossScale = this.declare("loss_scale", [1]);
    const probabilities = g.node("Softmax", [logits.name], "probabilities", [attr.int("axis", 1)]).output[0]!;
    const logp = g.node("LogSoftmax", [logits.name], "log_probabilities", [attr.int("axis", 1)]).output[0]!;
    const picked = g.node("Mul", [targets, logp], "target_log_probabilities").output[0]!;
    const negSum = g.node("ReduceSum", [picked, this.ints([0, 1])], "neg_loss_sum", [attr.int("keepdims", 0)])
      .output[0]!;
    const lossSum = g.node("Neg", [negSum], "loss_sum").output[0]!;
    // d(Σ loss·scale)/d logits = (softmax − target)·scale, targets summing to 1 per example.
    const diff = g.node("Sub", [probabilities, targets], "dlogits_unscaled").output[0]!;
    this.grads.set(last.id, [g.node("Mul", [diff, lossScale], "dlogits").output[0]!]);

    for (const call of [...graph.calls].reverse()) this.backward(call);

    this.output(lossSum);
    this.output(probabilities);
    for (const w of this.weights) if (w.gradient) this.output(w.gradient);
    for (const m of this.batchMoments) {
      this.output(m.mean);
      this.output(m.variance);
    }
    const bytes = encodeModel({
      ir_version: IR_VERSION,
      opset_import: [{ domain: "", version: OPSET }],
      producer_name: "cxrlab",
      producer_version: String(TRAINING_GRAPH_VERSION),
      doc_string: `${graph.name}: training step (forward, loss, backward)`,
      graph: {
        name: `${graph.name}_training`,
        node: g.nodes,
        initializer: g.initializers(),
        input: this.inputs,
        output: this.outputs,
      },
    });
    return {
      bytes,
      input,
      inputShape,
      targets,
      lossScale,
      dropouts: this.dropouts,
      weights: this.weights,
      lossSum,
      probabilities,
      batchMoments: this.batchMoments,
      classes,
    };
  }

  // ---- forward ----

  private forward(call: LayerCall): Value {
    const x = this.values.get(call.inputs[0]!)!;
    const c = call.config;
    const set = (name: string, channels = x.channels, spatial = x.spatial): Value => ({
      name,
      channels,
      spatial,
    });
    switch (call.className) {
      case "BatchNormalization":
        return set(this.batchNorm(call, x));
      case "Activation":
        return set(this.activation(call, x.name, c.activation as string));
      case "Dropout": {
        const rate = c.rate as number;
        if (rate <= 0) return set(x.name);
        if (x.spatial) throw new Error(`training graph: dropout ${call.name} on an image tensor`);
        const mask = this.declare(`${call.name}/mask`, ["n", x.channels]);
        this.dropouts.push({ input: mask, layer: call.name, shape: [x.channels] });
        this.saved.set(call, { mask });
        return set(this.g.node("Mul", [x.name, mask], call.name).output[0]!);
      }
      case "Concatenate": {
        const parts = call.inputs.map((id) => this.values.get(id)!);
        const out = this.g.node(
          "Concat",
          parts.map((p) => p.name),
          call.name,
          [attr.int("axis", 1)],
        ).output[0]!;
        return set(
          out,
          parts.reduce((s, p) => s + p.channels, 0),
        );
      }
      case "GlobalAveragePooling2D": {
        const [h, w] = x.spatial!;
        const grouped = this.g.node(
          "Reshape",
          [x.name, this.ints([-1, h * w, x.channels])],
          `${call.name}/grouped`,
        ).output[0]!;
        const out = this.g.node("ReduceMean", [grouped], call.name, [
          attr.ints("axes", [1]),
          attr.int("keepdims", 0),
        ]).output[0]!;
        return set(out, x.channels, null);
      }
      case "AveragePooling2D": {
        // Each p×p window's rows, as axes of their own, averaged.
        const p = (c.poolSize as number[])[0]!;
        const [h, w] = x.spatial!;
        const windows = this.g.node(
          "Reshape",
          [x.name, this.ints([-1, h / p, p, w / p, p, x.channels])],
          `${call.name}/windows`,
        ).output[0]!;
        const mean = this.g.node("ReduceMean", [windows], `${call.name}/mean`, [
          attr.ints("axes", [2, 4]),
          attr.int("keepdims", 0),
        ]).output[0]!;
        const rows = this.g.node("Reshape", [mean, this.ints([-1, x.channels])], call.name).output[0]!;
        return set(rows, x.channels, [h / p, w / p]);
      }
      case "Conv2D":
        return this.matmulLayer(call, x, (c.kernelSize as number[])[0]!, c.filters as number);
      case "Dense":
        return this.matmulLayer(call, x, 1, c.units as number);
      default:
        throw new Error(`training graph: layer ${call.name} (${call.className})`);
    }
  }

  /** Conv2D (k×k, "same", stride 1) or Dense: a MatMul on the rows (an im2col of them for k > 1). */
  private matmulLayer(call: LayerCall, x: Value, k: number, units: number): Value {
    const { g } = this;
    const c = call.config;
    const kernel = this.weight(call, "kernel");
    const flat = g.node("Reshape", [kernel, this.ints([k * k * x.channels, units])], `${call.name}/kernel_2d`)
      .output[0]!;
    const cols = k === 1 ? x.name : this.im2col(x, k, `${call.name}/cols`);
    let out = g.node("MatMul", [cols, flat], `${call.name}/matmul`).output[0]!;
    const useBias = call.className === "Dense" ? c.useBias !== false : (c.useBias as boolean);
    if (useBias) out = g.node("Add", [out, this.weight(call, "bias")], `${call.name}/biased`).output[0]!;
    const activation = (c.activation as string) ?? "linear";
    // The softmax is part of the loss (from the logits).
    const result = activation === "relu" ? this.activation(call, out, "relu") : out;
    this.saved.set(call, { cols, flat, preActivation: out, output: result });
    return { name: result, channels: units, spatial: x.spatial };
  }

  /** [n·h·w, c] rows → [n·h·w, k·k·c]: each pixel's k×k zero-padded neighbourhood, (dy, dx, c) order. */
  private im2col(x: Value, k: number, name: string): string {
    const { g } = this;
    const [h, w] = x.spatial!;
    const p = (k - 1) / 2;
    const image = g.node("Reshape", [x.name, this.ints([-1, h, w, x.channels])], `${name}/image`).output[0]!;
    const padded = g.node("Pad", [image, this.ints([0, p, p, 0, 0, p, p, 0])], `${name}/padded`).output[0]!;
    const shifts: string[] = [];
    for (let dy = 0; dy < k; dy++)
      for (let dx = 0; dx < k; dx++)
        shifts.push(
          g.node(
            "Slice",
            [padded, this.ints([dy, dx]), this.ints([dy + h, dx + w]), this.ints([1, 2])],
            `${name}/shift`,
          ).output[0]!,
        );
    const stacked = g.node("Concat", shifts, `${name}/stacked`, [attr.int("axis", 3)]).output[0]!;
    return g.node("Reshape", [stacked, this.ints([-1, k * k * x.channels])], name).output[0]!;
  }

  private activation(call: LayerCall, x: string, activation: string): string {
    if (activation === "linear") return x;
    if (activation !== "relu") throw new Error(`training graph: activation ${activation} of ${call.name}`);
    const out = this.g.node("Relu", [x], `${call.name}/relu`).output[0]!;
    this.saved.set(call, { ...this.saved.get(call), output: out });
    return out;
  }

  /**
   * y = x·a + b with a = γ·invStd and b = β − mean·a per channel: two passes over x. With batch
   * statistics, mean and E[x²] are two reductions of x (variance = E[x²] − mean², as the fused tfjs
   * kernel computes it); nothing normalized is kept for the backward pass, which works from x.
   */
  private batchNorm(call: LayerCall, x: Value): string {
    const { g } = this;
    const epsilon = this.scalar((call.config.epsilon as number) ?? 1e-3);
    const gamma = this.weight(call, "gamma");
    const beta = this.weight(call, "beta");
    const name = call.name;
    let mean: string;
    let variance: string;
    const reduce = (op: string, t: string, what: string) =>
      g.node(op, [t], `${name}/${what}`, [attr.ints("axes", [0]), attr.int("keepdims", 0)]).output[0]!;
    if (this.options.batchStatistics(name)) {
      mean = reduce("ReduceMean", x.name, "batch_mean");
      const squares = g.node(
        "Mul",
        [reduce("ReduceSumSquare", x.name, "sum_squares"), this.inverseRows(x)],
        `${name}/mean_squares`,
      ).output[0]!;
      const spread = g.node(
        "Sub",
        [squares, g.node("Mul", [mean, mean], `${name}/mean_sq`).output[0]!],
        `${name}/spread`,
      ).output[0]!;
      variance = g.node("Relu", [spread], `${name}/batch_variance`).output[0]!;
      this.batchMoments.push({ layer: name, mean, variance });
    } else {
      mean = this.weight(call, "moving_mean");
      variance = this.weight(call, "moving_variance");
    }
    const std = g.node(
      "Sqrt",
      [g.node("Add", [variance, epsilon], `${name}/var_eps`).output[0]!],
      `${name}/std`,
    ).output[0]!;
    const invStd = g.node("Reciprocal", [std], `${name}/inv_std`).output[0]!;
    const scale = g.node("Mul", [gamma, invStd], `${name}/scale`).output[0]!;
    const shift = g.node(
      "Sub",
      [beta, g.node("Mul", [mean, scale], `${name}/mean_scaled`).output[0]!],
      `${name}/shift`,
    ).output[0]!;
    this.saved.set(call, { x: x.name, mean, invStd, scale });
    const scaled = g.node("Mul", [x.name, scale], `${name}/scaled`).output[0]!;
    return g.node("Add", [scaled, shift], name).output[0]!;
  }

  /** [1]: 1 / the number of rows of x (the batch size is symbolic). */
  private inverseRows(x: Value): string {
    const { g } = this;
    const rows = g.node("Shape", [x.name], `${x.name}/rows`, [attr.int("start", 0), attr.int("end", 1)])
      .output[0]!;
    const count = g.node("Cast", [rows], `${x.name}/row_count`, [attr.int("to", DataType.FLOAT)]).output[0]!;
    return g.node("Reciprocal", [count], `${x.name}/inv_rows`).output[0]!;
  }

  // ---- backward ----

  /** Adds `grad` to what flows back into tensor `id` (the graph input needs none). */
  private accumulate(id: number, grad: string): void {
    if (id === this.graph.inputId) return;
    const list = this.grads.get(id) ?? [];
    list.push(grad);
    this.grads.set(id, list);
  }

  private gradOf(call: LayerCall): string | null {
    const list = this.grads.get(call.id);
    if (!list) return null;
    if (list.length === 1) return list[0]!;
    return this.g.node("Sum", list, `${call.name}/grad_sum`).output[0]!;
  }

  /** True when nothing upstream of the call's input is trained: no gradient needs to flow there. */
  private needsInputGrad(call: LayerCall): boolean {
    return call.inputs.some((id) => id !== this.graph.inputId);
  }

  private backward(call: LayerCall): void {
    const dy = this.gradOf(call);
    if (!dy) return;
    const { g } = this;
    const s = this.saved.get(call) ?? {};
    const name = `${call.name}/grad`;
    const input = call.inputs[0]!;
    switch (call.className) {
      case "Activation":
        this.accumulate(input, s.output ? this.reluGrad(dy, s.output, name) : dy);
        return;
      case "Dropout":
        this.accumulate(input, s.mask ? g.node("Mul", [dy, s.mask], name).output[0]! : dy);
        return;
      case "Concatenate": {
        let start = 0;
        for (const id of call.inputs) {
          const width = this.values.get(id)!.channels;
          if (id !== this.graph.inputId)
            this.accumulate(
              id,
              g.node("Slice", [dy, this.ints([start]), this.ints([start + width]), this.ints([1])], name)
                .output[0]!,
            );
          start += width;
        }
        return;
      }
      case "GlobalAveragePooling2D": {
        const x = this.values.get(input)!;
        const [h, w] = x.spatial!;
        const spread = g.node("Unsqueeze", [dy, this.ints([1])], `${name}/unsqueezed`).output[0]!;
        const scaled = g.node("Mul", [spread, this.scalar(1 / (h * w))], `${name}/scaled`).output[0]!;
        const expanded = g.node("Expand", [scaled, this.ints([1, h * w, 1])], `${name}/expanded`).output[0]!;
        this.accumulate(input, g.node("Reshape", [expanded, this.ints([-1, x.channels])], name).output[0]!);
        return;
      }
      case "AveragePooling2D": {
        const x = this.values.get(input)!;
        const [h, w] = x.spatial!;
        const p = (call.config.poolSize as number[])[0]!;
        const spread = g.node(
          "Reshape",
          [dy, this.ints([-1, h / p, 1, w / p, 1, x.channels])],
          `${name}/spread`,
        ).output[0]!;
        const scaled = g.node("Mul", [spread, this.scalar(1 / (p * p))], `${name}/scaled`).output[0]!;
        const expanded = g.node("Expand", [scaled, this.ints([1, 1, p, 1, p, 1])], `${name}/expanded`)
          .output[0]!;
        this.accumulate(input, g.node("Reshape", [expanded, this.ints([-1, x.channels])], name).output[0]!);
        return;
      }
      case "BatchNormalization":
        this.batchNormBackward(call, dy, s);
        return;
      case "Conv2D":
      case "Dense":
        this.matmulBackward(call, dy, s);
        return;
    }
  }

  /** dx = dy where the ReLU's output is positive, else 0 (its output is ≥ 0, so its sign is the mask). */
  private reluGrad(dy: string, output: string, name: string): string {
    const mask = this.g.node("Sign", [output], `${name}/mask`).output[0]!;
    return this.g.node("Mul", [dy, mask], name).output[0]!;
  }

  private matmulBackward(call: LayerCall, dy: string, s: Saved): void {
    const { g } = this;
    const name = `${call.name}/grad`;
    const c = call.config;
    const dz = c.activation === "relu" ? this.reluGrad(dy, s.output!, `${name}/relu`) : dy;
    const trained = this.options.trainable(call.name);
    if (trained) {
      const kernel = this.weightInfo(call, "kernel");
      const dFlat = g.node("Gemm", [s.cols!, dz], `${name}/kernel_2d`, [attr.int("transA", 1)]).output[0]!;
      kernel.gradient = g.node("Reshape", [dFlat, this.ints(kernel.shape)], `${name}/kernel`).output[0]!;
      const bias = this.weights.find((w) => w.layer === call.name && w.key === "bias");
      if (bias)
        bias.gradient = g.node("ReduceSum", [dz, this.ints([0])], `${name}/bias`, [attr.int("keepdims", 0)])
          .output[0]!;
    }
    if (!this.needsInputGrad(call)) return;
    const x = this.values.get(call.inputs[0]!)!;
    const k = call.className === "Conv2D" ? (c.kernelSize as number[])[0]! : 1;
    if (k === 1) {
      this.accumulate(
        call.inputs[0]!,
        g.node("Gemm", [dz, s.flat!], `${name}/input`, [attr.int("transB", 1)]).output[0]!,
      );
      return;
    }
    // A k×k "same" convolution's input gradient is the same convolution of the output gradient with
    // the kernel flipped in space and its in/out channels swapped: an im2col of dy (units wide).
    const units = c.filters as number;
    const kernel = this.weightInfo(call, "kernel").input;
    const taps = g.node("Reshape", [kernel, this.ints([k * k, x.channels, units])], `${name}/taps`)
      .output[0]!;
    const reversed = Array.from({ length: k * k }, (_, i) => k * k - 1 - i);
    const flipped = g.node("Gather", [taps, this.ints(reversed)], `${name}/flipped`, [attr.int("axis", 0)])
      .output[0]!;
    const swapped = g.node("Transpose", [flipped], `${name}/swapped`, [attr.ints("perm", [0, 2, 1])])
      .output[0]!;
    const back = g.node("Reshape", [swapped, this.ints([k * k * units, x.channels])], `${name}/back_kernel`)
      .output[0]!;
    const cols = this.im2col({ name: dz, channels: units, spatial: x.spatial }, k, `${name}/dcols`);
    this.accumulate(call.inputs[0]!, g.node("MatMul", [cols, back], `${name}/input`).output[0]!);
  }

  /**
   * With x̂ = (x − mean)·invStd: dβ = Σdy and dγ = Σdy·x̂ = invStd·(Σdy·x − mean·dβ). The input's
   * gradient is dy·γ·invStd on moving statistics; on batch statistics it is
   * γ·invStd·(dy − dβ/R − x̂·dγ/R) over R rows, computed as A·dy + B·x + K per channel.
   */
  private batchNormBackward(call: LayerCall, dy: string, s: Saved): void {
    const { g } = this;
    const name = `${call.name}/grad`;
    const x = this.values.get(call.inputs[0]!)!;
    const small = (op: string, inputs: string[], what: string) =>
      g.node(op, inputs, `${name}/${what}`).output[0]!;
    const sum = (t: string, what: string) =>
      g.node("ReduceSum", [t, this.ints([0])], `${name}/${what}`, [attr.int("keepdims", 0)]).output[0]!;
    const dbeta = sum(dy, "beta_sum");
    const dyX = sum(small("Mul", [dy, s.x!], "dy_x"), "dy_x_sum");
    const dgamma = small(
      "Mul",
      [small("Sub", [dyX, small("Mul", [s.mean!, dbeta], "mean_dbeta")], "centred_sum"), s.invStd!],
      "gamma_sum",
    );
    if (this.options.trainable(call.name)) {
      this.weightInfo(call, "gamma").gradient = dgamma;
      this.weightInfo(call, "beta").gradient = dbeta;
    }
    if (!this.needsInputGrad(call)) return;
    if (!this.options.batchStatistics(call.name)) {
      this.accumulate(call.inputs[0]!, small("Mul", [dy, s.scale!], "input"));
      return;
    }
    const invRows = this.inverseRows(x);
    // B = −A·invStd·dγ/R, K = −A·dβ/R − B·mean.
    const b = small(
      "Neg",
      [
        small(
          "Mul",
          [small("Mul", [s.scale!, s.invStd!], "a_inv_std"), small("Mul", [dgamma, invRows], "mean_dgamma")],
          "b_pos",
        ),
      ],
      "b",
    );
    const k = small(
      "Sub",
      [
        small(
          "Neg",
          [small("Mul", [s.scale!, small("Mul", [dbeta, invRows], "mean_dbeta")], "k_pos")],
          "k_neg",
        ),
        small("Mul", [b, s.mean!], "b_mean"),
      ],
      "k",
    );
    const ady = small("Mul", [dy, s.scale!], "a_dy");
    const bx = small("Mul", [s.x!, b], "b_x");
    this.accumulate(call.inputs[0]!, small("Add", [small("Add", [ady, bx], "a_dy_b_x"), k], "input"));
  }

  // ---- inputs, outputs, constants ----

  private declare(base: string, shape: (number | string)[]): string {
    const name = this.g.unique(base);
    this.inputs.push({
      name,
      type: {
        tensor_type: {
          elem_type: DataType.FLOAT,
          shape: { dim: shape.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) },
        },
      },
    });
    return name;
  }

  private output(name: string): void {
    this.outputs.push({ name, type: { tensor_type: { elem_type: DataType.FLOAT } } });
  }

  /** The graph input for a weight of the call, declared on first use. */
  private weight(call: LayerCall, key: string): string {
    return this.weightInfo(call, key).input;
  }

  private weightInfo(call: LayerCall, key: string): GraphWeight {
    const known = this.weights.find((w) => w.layer === call.name && w.key === key);
    if (known) return known;
    const w = call.weights.get(key);
    if (!w) throw new Error(`training graph: layer ${call.name} has no weight ${key}`);
    const info: GraphWeight = {
      input: this.declare(`${call.name}/${key}`, w.shape),
      layer: call.name,
      key,
      shape: w.shape,
      gradient: null,
    };
    this.weights.push(info);
    return info;
  }

  private ints(values: number[]): string {
    const key = `i${values.join(",")}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.g.int64s("const", values);
      this.constants.set(key, name);
    }
    return name;
  }

  private scalar(value: number): string {
    const key = `f${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.g.floats("const", [], Float32Array.of(value));
      this.constants.set(key, name);
    }
    return name;
  }
}
