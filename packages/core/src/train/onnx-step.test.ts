import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { optimizerSchema } from "../config.ts";
import { seedDropoutLayers } from "../model/dropout.ts";
import { freezeLayers } from "../model/freeze.ts";
import { createRng } from "../random.ts";
import { sparseCategoricalCrossentropy } from "./loss.ts";
import { OnnxTrainStep } from "./onnx-step.ts";
import { createOptimizer } from "./optimizer.ts";
import { trainStep } from "./step.ts";

const N = 6;
const labels = new Int32Array([0, 1, 2, 2, 1, 0]);
const features = () => tf.randomUniform([N, 4, 4, 6], 0, 2, "float32", 5);

/**
 * A dense block in miniature, as DenseNet's trained part has it: BN-ReLU-1×1 conv-BN-ReLU-3×3
 * conv, concatenated with its input, a transition (as between blocks 3 and 4), then BN, ReLU,
 * global pooling and the notebook's head (dense, dropout, softmax), every weight seeded.
 */
function miniDenseNet(): tf.LayersModel {
  let seed = 10;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const bn = (name: string) =>
    tf.layers.batchNormalization({
      name,
      epsilon: 1.001e-5,
      gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed++ }),
      betaInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed++ }),
      movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed++ }),
      movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed++ }),
    });
  const input = tf.input({ shape: [4, 4, 6] });
  let x = bn("block_0_bn").apply(input) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 8, kernelSize: 1, useBias: false, kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  x = bn("block_1_bn").apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.concatenate({ axis: -1 }).apply([input, x]) as tf.SymbolicTensor;
  // A transition as between dense blocks: BN, ReLU, 1×1 convolution, 2×2 average pooling.
  x = bn("pool_bn").apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 10, kernelSize: 1, useBias: false, kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
  x = bn("bn").apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "relu" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: 5, activation: "relu", kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: "softmax", kernelInitializer: init(), biasInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const values = (model: tf.LayersModel) =>
  model.weights.map((w) => w.read().dataSync().slice() as Float32Array);

function maxRelativeDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    const scale = Math.max(...x.map(Math.abs), 1e-6);
    x.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - b[i]![j]!) / scale);
    });
  });
  return worst;
}

describe("training steps on onnxruntime", () => {
  beforeAll(() => selectBackend("cpu"));

  it.each([
    { statistics: "batch", smoothing: 0, decay: 0, optimizer: "sgd" },
    { statistics: "moving", smoothing: 0.1, decay: 0, optimizer: "sgd" },
    { statistics: "batch", smoothing: 0, decay: 0.01, optimizer: "adamw" },
  ] as const)(
    "takes the same steps as tfjs ($statistics statistics, smoothing $smoothing, $optimizer)",
    async (c) => {
      const run = async (engine: "onnx" | "tfjs") => {
        const net = miniDenseNet();
        freezeLayers(net, 0, c.statistics);
        seedDropoutLayers(net, createRng(3));
        const optimizer = createOptimizer(
          optimizerSchema.parse({
            type: c.optimizer,
            learningRate: 0.05,
            momentum: 0.9,
            weightDecay: c.decay,
          }),
        );
        const onnx =
          engine === "onnx" ? await OnnxTrainStep.create(net, { batchNormStatistics: c.statistics }) : null;
        const x = features();
        const results = [];
        const options = { labelSmoothing: c.smoothing, weightDecay: c.decay };
        for (let i = 0; i < 3; i++)
          results.push(
            onnx
              ? await onnx.step(optimizer, x, labels, 3, options)
              : trainStep(net, optimizer, x, labels, 3, options),
          );
        await onnx?.dispose();
        x.dispose();
        return { results, weights: values(net) };
      };
      const onnx = await run("onnx");
      const tfjs = await run("tfjs");
      onnx.results.forEach((r, i) => {
        expect(r.lossSum).toBeCloseTo(tfjs.results[i]!.lossSum, 4);
        expect(r.correct).toBe(tfjs.results[i]!.correct);
      });
      // Every weight, the moving averages included, after three steps on either engine.
      expect(maxRelativeDifference(onnx.weights, tfjs.weights)).toBeLessThan(1e-4);
      // The steps did move them.
      expect(maxRelativeDifference(onnx.weights, values(miniDenseNet()))).toBeGreaterThan(1e-2);
    },
  );

  it.each(["batch", "moving"] as const)(
    "computes the gradients tfjs computes (%s statistics)",
    async (statistics) => {
      const net = miniDenseNet();
      freezeLayers(net, 0, statistics);
      for (const layer of net.layers) if (layer.getClassName() === "Dropout") layer.call = (inputs) => inputs;
      const x = features();
      const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => {
        const probs = net.apply(x, { training: true }) as tf.Tensor2D;
        return tf.mean(sparseCategoricalCrossentropy(probs, tf.tensor1d(labels, "int32"), 0.1)) as tf.Scalar;
      }, vars);
      const onnx = await OnnxTrainStep.create(net, { batchNormStatistics: statistics });
      const { gradients } = await onnx.gradients(x, labels, N, { labelSmoothing: 0.1 });
      for (const v of vars) {
        const expected = grads[v.name]!.dataSync() as Float32Array;
        expect(maxRelativeDifference([gradients.get(v.name)!], [expected]), v.name).toBeLessThan(1e-5);
      }
      tf.dispose(Object.values(grads));
      await onnx.dispose();
      x.dispose();
    },
  );

  it("computes gradients that match finite differences", async () => {
    const net = miniDenseNet();
    freezeLayers(net, 0, "moving");
    for (const layer of net.layers) if (layer.getClassName() === "Dropout") layer.call = (inputs) => inputs;
    const onnx = await OnnxTrainStep.create(net, { batchNormStatistics: "moving" });
    const x = features();
    const { gradients } = await onnx.gradients(x, labels, N);
    const meanLoss = async () => (await onnx.gradients(x, labels, N)).lossSum / N;
    let elements = 0;
    let agree = 0;
    for (const w of net.trainableWeights) {
      const variable = w.read() as tf.Variable;
      const g = gradients.get(variable.name)!;
      const tolerance = 0.05 * Math.max(...g.map(Math.abs)) + 1e-4;
      for (let i = 0; i < g.length; i++) {
        const at = async (delta: number) => {
          const data = variable.dataSync().slice();
          data[i]! += delta;
          variable.assign(tf.tensor(data, variable.shape));
          const loss = await meanLoss();
          data[i]! -= delta;
          variable.assign(tf.tensor(data, variable.shape));
          return loss;
        };
        const numeric = ((await at(2e-3)) - (await at(-2e-3))) / 4e-3;
        elements++;
        if (Math.abs(g[i]! - numeric) < tolerance) agree++;
      }
    }
    // Central differences in float32 of a loss with ReLU kinks: a step that crosses one spoils an
    // element's estimate, so most (not all) must agree. A wrong backward formula spoils many.
    expect(elements).toBe(
      net.trainableWeights.reduce((n, w) => n + tf.util.sizeFromShape(w.shape as number[]), 0),
    );
    expect(agree / elements).toBeGreaterThan(0.9);
    await onnx.dispose();
    x.dispose();
  });

  it("leaves no tensor behind", async () => {
    const net = miniDenseNet();
    freezeLayers(net, 0, "batch");
    const onnx = await OnnxTrainStep.create(net, { batchNormStatistics: "batch" });
    const optimizer = createOptimizer(optimizerSchema.parse({ learningRate: 0.05, momentum: 0.9 }));
    const x = features();
    // The first step creates the optimizer's momentum slots; later steps must add nothing.
    await onnx.step(optimizer, x, labels, 4, { weightDecay: 0.01 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await onnx.step(optimizer, x, labels, 4, { weightDecay: 0.01 });
    expect(tf.memory().numTensors).toBe(before);
    await onnx.dispose();
    x.dispose();
  });

  it("names what it cannot train", () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const pooled = tf.layers.maxPooling2d({ poolSize: 2, name: "pool" }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.globalAveragePooling2d({}).apply(pooled) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: "softmax" }).apply(flat) as tf.SymbolicTensor;
    expect(OnnxTrainStep.unsupported(tf.model({ inputs: input, outputs: out }))).toBe(
      "layer pool (MaxPooling2D)",
    );
    expect(OnnxTrainStep.unsupported(miniDenseNet())).toBeNull();
  });
});
