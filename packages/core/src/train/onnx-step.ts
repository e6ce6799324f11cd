import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import type * as Ort from "onnxruntime-node";
import { collectLayerGraph } from "../onnx/layer-graph.ts";
import { describeSession, loadOnnxRuntime, sessionOptions } from "../onnx/session.ts";
import { buildTrainingGraph, type TrainingGraph, unsupportedForTraining } from "../onnx/training-graph.ts";
import { decayKernels, learningRateOf } from "./optimizer.ts";
import type { StepOptions, StepResult } from "./step.ts";

export interface OnnxTrainOptions {
  /** BatchNormalization on batch statistics (training mode) or the moving ones. */
  batchNormStatistics: "batch" | "moving";
  /** Intra-op threads (default: every available core). */
  threads?: number;
}

interface BoundWeight {
  variable: tf.LayerVariable;
  input: string;
  shape: number[];
  gradient: string | null;
}

/** A batch-statistics BatchNormalization's moving averages and the graph outputs that move them. */
interface BoundMoments {
  decay: number;
  moving: [tf.LayerVariable, string][];
}

/** The layer's weight called `key` (`kernel`, `gamma`, `moving_mean`, ...). */
function layerWeight(net: tf.LayersModel, layerName: string, key: string): tf.LayerVariable {
  const variable = net.getLayer(layerName).weights.find((v) => v.originalName.endsWith(`/${key}`));
  if (!variable) throw new Error(`onnx training: ${layerName} has no weight ${key}`);
  return variable;
}

/**
 * Training steps of a model's trainable part on onnxruntime: the forward and backward passes run
 * as one ONNX graph (onnx/training-graph.ts) on onnxruntime's CPU kernels; the weights stay in the
 * tfjs model, and the same tfjs optimizer as trainStep's applies the gradients, so checkpoints,
 * weight averaging and schedules are shared with the tfjs path. Dropout masks come from the model's
 * own Dropout layers, so a seeded run draws the same masks on either engine.
 */
export class OnnxTrainStep {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    private readonly net: tf.LayersModel,
    private readonly graph: TrainingGraph,
    private readonly weights: BoundWeight[],
    private readonly moments: BoundMoments[],
    readonly description: string,
  ) {}

  /** Why `net` cannot train on onnxruntime, or null. */
  static unsupported(net: tf.LayersModel): string | null {
    return unsupportedForTraining(collectLayerGraph(net));
  }

  static async create(net: tf.LayersModel, options: OnnxTrainOptions): Promise<OnnxTrainStep> {
    const ort = await loadOnnxRuntime();
    const trainable = new Set(net.layers.filter((l) => l.trainable).map((l) => l.name));
    const graph = buildTrainingGraph(collectLayerGraph(net), {
      // Frozen batch normalizations always run on their moving statistics (model/freeze.ts).
      batchStatistics: (layer) => options.batchNormStatistics === "batch" && trainable.has(layer),
      trainable: (layer) => trainable.has(layer),
    });
    const weights = graph.weights.map(
      (w): BoundWeight => ({
        variable: layerWeight(net, w.layer, w.key),
        input: w.input,
        shape: w.shape,
        gradient: w.gradient,
      }),
    );
    const moments = graph.batchMoments.map(
      (m): BoundMoments => ({
        decay: 1 - ((net.getLayer(m.layer).getConfig() as { momentum?: number }).momentum ?? 0.99),
        moving: [
          [layerWeight(net, m.layer, "moving_mean"), m.mean],
          [layerWeight(net, m.layer, "moving_variance"), m.variance],
        ],
      }),
    );
    const threads = options.threads ?? os.availableParallelism();
    // Spinning threads lose to anything else on 2 cores: 2.5x slower steps under load (measured).
    const session = await ort.InferenceSession.create(graph.bytes, sessionOptions("cpu", threads, false));
    const description = describeSession(ort, "cpu", threads, false);
    return new OnnxTrainStep(ort, session, net, graph, weights, moments, description);
  }

  /**
   * One optimisation step on a batch, as trainStep does it (same loss, micro-batches, weight decay
   * and optimizer), with the loss computed from the logits.
   */
  async step(
    optimizer: tf.Optimizer,
    x: tf.Tensor,
    labels: Int32Array,
    microBatchSize: number,
    options: StepOptions = {},
  ): Promise<StepResult> {
    const { lossSum, correct, gradients } = await this.gradients(x, labels, microBatchSize, options);
    const vars = this.net.trainableWeights.map((w) => w.read() as tf.Variable);
    const named = vars.map((v) => {
      const g = gradients.get(v.name);
      if (!g) throw new Error(`onnx training: no gradient for ${v.name}`);
      return { name: v.name, tensor: tf.tensor(g, v.shape) };
    });
    decayKernels(vars, learningRateOf(optimizer) * (options.weightDecay ?? 0));
    optimizer.applyGradients(named);
    tf.dispose(named.map((g) => g.tensor));
    return { lossSum, correct };
  }

  /**
   * The batch's summed loss, hits and the gradients of the mean loss (by variable name), computed
   * in micro-batches. Like a forward pass in training mode, it moves the moving averages of the
   * batch normalizations that run on batch statistics.
   */
  async gradients(
    x: tf.Tensor,
    labels: Int32Array,
    microBatchSize: number,
    options: Pick<StepOptions, "labelSmoothing"> = {},
  ): Promise<StepResult & { gradients: Map<string, Float32Array> }> {
    const { ort, graph } = this;
    const n = labels.length;
    const features = x.dataSync() as Float32Array;
    const perExample = features.length / n;
    const feeds: Record<string, Ort.Tensor> = {
      [graph.lossScale]: new ort.Tensor("float32", Float32Array.of(1 / n), [1]),
    };
    for (const w of this.weights)
      feeds[w.input] = new ort.Tensor("float32", w.variable.read().dataSync() as Float32Array, w.shape);
    const gradients = new Map<string, Float32Array>();
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < n; start += microBatchSize) {
      const size = Math.min(microBatchSize, n - start);
      const batchLabels = labels.subarray(start, start + size);
      feeds[graph.input] = new ort.Tensor(
        "float32",
        features.subarray(start * perExample, (start + size) * perExample),
        [size, ...graph.inputShape],
      );
      feeds[graph.targets] = new ort.Tensor(
        "float32",
        softTargets(batchLabels, graph.classes, options.labelSmoothing ?? 0),
        [size, graph.classes],
      );
      for (const d of graph.dropouts) feeds[d.input] = this.dropoutMask(d.layer, [size, ...d.shape]);
      const out = await this.session.run(feeds);
      lossSum += (out[graph.lossSum]!.data as Float32Array)[0]!;
      correct += hits(out[graph.probabilities]!.data as Float32Array, batchLabels);
      for (const w of this.weights) {
        if (!w.gradient) continue;
        const g = out[w.gradient]!.data as Float32Array;
        const name = (w.variable.read() as tf.Variable).name;
        const sum = gradients.get(name);
        if (sum) for (let i = 0; i < g.length; i++) sum[i]! += g[i]!;
        else gradients.set(name, Float32Array.from(g));
      }
      this.updateMovingMoments(out);
    }
    return { lossSum, correct, gradients };
  }

  /** The layer's own dropout (seeded by model/dropout.ts) applied to ones: its keep mask. */
  private dropoutMask(layerName: string, shape: number[]): Ort.Tensor {
    const layer = this.net.getLayer(layerName);
    const mask = tf.tidy(() => (layer.apply(tf.ones(shape), { training: true }) as tf.Tensor).dataSync());
    return new this.ort.Tensor("float32", mask as Float32Array, shape);
  }

  /** moving −= (moving − batch)·(1 − momentum), as tfjs-layers and model/batch-norm.ts do. */
  private updateMovingMoments(out: Ort.InferenceSession.ReturnType): void {
    for (const { decay, moving } of this.moments) {
      for (const [variable, output] of moving) {
        const batch = out[output]!.data as Float32Array;
        const current = variable.read().dataSync() as Float32Array;
        const next = current.map((v, i) => v - (v - batch[i]!) * decay);
        tf.tidy(() => {
          variable.write(tf.tensor1d(next));
        });
      }
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** (1 − ε)·one-hot + ε/K per example, as the tfjs loss's targets. */
function softTargets(labels: Int32Array, classes: number, labelSmoothing: number): Float32Array {
  const out = new Float32Array(labels.length * classes).fill(labelSmoothing / classes);
  labels.forEach((label, i) => {
    out[i * classes + label]! += 1 - labelSmoothing;
  });
  return out;
}

function hits(probs: Float32Array, labels: Int32Array): number {
  const classes = probs.length / labels.length;
  let correct = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
    if (best === label) correct++;
  });
  return correct;
}
