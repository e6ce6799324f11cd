import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { optimizerSchema } from "../config.ts";
import { createOptimizer } from "./optimizer.ts";
import { predictProbabilities, trainStep } from "./step.ts";

const { expectArraysClose } = tf.test_util;

const N = 6;
const FEATURES = 5;
const CLASSES = 3;
const labels = new Int32Array([0, 1, 2, 2, 1, 0]);
const inputs = () => tf.randomNormal([N, FEATURES], 0, 1, "float32", 21);

/** A small network; `batchNorm` adds a BatchNormalization layer between the dense layers. */
function smallNet(batchNorm = false): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({
      units: 8,
      activation: "relu",
      inputShape: [FEATURES],
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      biasInitializer: tf.initializers.randomNormal({ seed: 2 }),
    }),
  ];
  if (batchNorm) layers.push(tf.layers.batchNormalization());
  layers.push(
    tf.layers.dense({
      units: CLASSES,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  return tf.sequential({ layers });
}

const weightsOf = (model: tf.LayersModel) => model.weights.map((w) => w.read().dataSync().slice());

/** Trains a fresh network for one step on the same batch and returns its weights and step result. */
function stepOnce(microBatchSize: number, batchNorm = false) {
  const model = smallNet(batchNorm);
  const optimizer = createOptimizer(optimizerSchema.parse({ learningRate: 0.5 }));
  const x = inputs();
  const result = trainStep(model, optimizer, x, labels, microBatchSize);
  const weights = weightsOf(model);
  x.dispose();
  optimizer.dispose();
  model.dispose();
  return { result, weights };
}

describe("trainStep", () => {
  beforeAll(() => selectBackend());

  it.each([
    { smoothing: 0, decay: 0 },
    { smoothing: 0.2, decay: 0 },
    { smoothing: 0, decay: 0.1 },
  ])(
    "updates a one-layer softmax model by w - lr * grad of the mean cross-entropy (label smoothing $smoothing, weight decay $decay)",
    ({ smoothing, decay }) => {
      const lr = 0.3;
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            units: CLASSES,
            activation: "softmax",
            inputShape: [FEATURES],
            kernelInitializer: tf.initializers.randomNormal({ seed: 4 }),
            biasInitializer: tf.initializers.randomNormal({ seed: 5 }),
          }),
        ],
      });
      const x = inputs();
      const xs = x.dataSync();
      const probs = predictProbabilities(model, x, N);
      const [kernel, bias] = weightsOf(model);

      // d(mean loss)/d(logit) = (p - target) / N, the target (1 - ε)·one-hot + ε/K; kernel grad = x^T
      // of that, bias grad = its column sums. Decoupled decay shrinks the kernel (only) by lr·decay.
      const target = (i: number, c: number) => (labels[i] === c ? 1 - smoothing : 0) + smoothing / CLASSES;
      const delta = probs.map((p, k) => (p - target(Math.floor(k / CLASSES), k % CLASSES)) / N);
      const expectedKernel = kernel!.map((w, k) => {
        const [f, c] = [Math.floor(k / CLASSES), k % CLASSES];
        let grad = 0;
        for (let i = 0; i < N; i++) grad += xs[i * FEATURES + f]! * delta[i * CLASSES + c]!;
        return w * (1 - lr * decay) - lr * grad;
      });
      const expectedBias = bias!.map((b, c) => {
        let grad = 0;
        for (let i = 0; i < N; i++) grad += delta[i * CLASSES + c]!;
        return b - lr * grad;
      });

      trainStep(model, createOptimizer(optimizerSchema.parse({ learningRate: lr })), x, labels, 4, {
        labelSmoothing: smoothing,
        weightDecay: decay,
      });
      const [newKernel, newBias] = weightsOf(model);
      expectArraysClose(newKernel!, expectedKernel, 1e-5);
      expectArraysClose(newBias!, expectedBias, 1e-5);
      x.dispose();
      model.dispose();
    },
  );

  it("returns the batch's summed loss and number of correct predictions before the update", () => {
    const model = smallNet();
    const x = inputs();
    const probs = predictProbabilities(model, x, N);
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < N; i++) {
      const row = Array.from(probs.subarray(i * CLASSES, (i + 1) * CLASSES));
      lossSum -= Math.log(row[labels[i]!]!);
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
    }
    const result = trainStep(model, createOptimizer(optimizerSchema.parse({})), x, labels, 2);
    expect(result.lossSum).toBeCloseTo(lossSum, 4);
    expect(result.correct).toBe(correct);
    x.dispose();
    model.dispose();
  });

  it("gives the same update with micro-batches as with the whole batch at once", () => {
    const whole = stepOnce(N);
    for (const micro of [2, 4]) {
      const split = stepOnce(micro);
      expect(split.result.correct).toBe(whole.result.correct);
      expect(split.result.lossSum).toBeCloseTo(whole.result.lossSum, 4);
      split.weights.forEach((w, i) => {
        expectArraysClose(w, whole.weights[i]!, 1e-5);
      });
    }
    // The step did move the weights.
    const initial = smallNet();
    expect(whole.weights[0]).not.toEqual(weightsOf(initial)[0]);
    initial.dispose();
  });

  it("differs with micro-batches when BatchNormalization runs on batch statistics", () => {
    // In training mode BatchNormalization normalises each micro-batch by that micro-batch's own
    // mean and variance (and updates its moving averages once per micro-batch), so both the
    // forward pass and the gradients depend on how the batch is split; only networks without
    // batch-statistics normalisation are split-invariant.
    const whole = stepOnce(N, true);
    const split = stepOnce(2, true);
    const diff = Math.max(...split.weights[0]!.map((v, i) => Math.abs(v - whole.weights[0]![i]!)));
    expect(diff).toBeGreaterThan(1e-4);
  });

  it("leaves non-trainable layers alone", () => {
    const model = smallNet();
    const [frozen, trained] = model.layers as [tf.layers.Layer, tf.layers.Layer];
    frozen.trainable = false;
    const values = (layer: tf.layers.Layer) => layer.getWeights().map((w) => Array.from(w.dataSync()));
    const before = [values(frozen), values(trained)];
    const x = inputs();
    trainStep(model, createOptimizer(optimizerSchema.parse({})), x, labels, 3);
    expect(values(frozen)).toEqual(before[0]);
    expect(values(trained)[0]).not.toEqual(before[1]![0]);
    x.dispose();
    model.dispose();
  });
});

describe("trainStep and predictProbabilities", () => {
  beforeAll(() => selectBackend());

  it("leave no tensor behind (micro-batches, batch norm, smoothing, weight decay)", () => {
    const model = smallNet(true);
    const optimizer = createOptimizer(optimizerSchema.parse({ learningRate: 0.1, momentum: 0.9 }));
    const x = inputs();
    const options = { labelSmoothing: 0.1, weightDecay: 0.01 };
    // The first step creates the optimizer's momentum slots; every later one must add nothing.
    trainStep(model, optimizer, x, labels, 4, options);
    const before = tf.memory().numTensors;
    trainStep(model, optimizer, x, labels, 4, options);
    trainStep(model, optimizer, x, labels, N, options);
    predictProbabilities(model, x, 4);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    optimizer.dispose();
    model.dispose();
  });
});

describe("predictProbabilities", () => {
  beforeAll(() => selectBackend());

  it("returns the inference-mode softmax rows, whatever the batch size", () => {
    const model = smallNet();
    const x = inputs();
    const expected = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    const probs = predictProbabilities(model, x, 4);
    expect(probs).toBeInstanceOf(Float32Array);
    expect(probs).toHaveLength(N * CLASSES);
    expectArraysClose(probs, expected, 1e-6);
    for (let i = 0; i < N; i++) {
      expect(probs.subarray(i * CLASSES, (i + 1) * CLASSES).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 5);
    }
    x.dispose();
    model.dispose();
  });
});
