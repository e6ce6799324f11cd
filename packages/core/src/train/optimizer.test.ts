import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { optimizerSchema } from "../config.ts";
import { createOptimizer, decayKernels, isDecayed, learningRateOf, setLearningRate } from "./optimizer.ts";

const { expectArraysClose } = tf.test_util;

describe("createOptimizer", () => {
  beforeAll(() => selectBackend());

  it("makes plain SGD without momentum and a momentum optimizer with it", () => {
    const sgd = createOptimizer(optimizerSchema.parse({ learningRate: 0.1 }));
    expect(sgd.getClassName()).toBe("SGD");
    expect(sgd.getConfig()).toMatchObject({ learningRate: 0.1 });
    const momentum = createOptimizer(
      optimizerSchema.parse({ learningRate: 0.01, momentum: 0.9, nesterov: true }),
    );
    expect(momentum.getClassName()).toBe("Momentum");
    expect(momentum.getConfig()).toMatchObject({ learningRate: 0.01, momentum: 0.9, useNesterov: true });
  });

  it("makes Adam with the config's betas for adamw", () => {
    const adam = createOptimizer(
      optimizerSchema.parse({ type: "adamw", learningRate: 3e-4, beta1: 0.8, beta2: 0.99 }),
    );
    expect(adam.getClassName()).toBe("Adam");
    expect(adam.getConfig()).toMatchObject({ learningRate: 3e-4, beta1: 0.8, beta2: 0.99, epsilon: 1e-7 });
  });
});

describe("setLearningRate", () => {
  beforeAll(() => selectBackend());

  /** One step of `optimizer` on w = [1, -2] with gradient [0.5, 0.5]: the new weights. */
  function stepWith(optimizer: tf.Optimizer, learningRate: number): Float32Array {
    const w = tf.variable(tf.tensor1d([1, -2]));
    setLearningRate(optimizer, learningRate);
    expect(learningRateOf(optimizer)).toBe(learningRate);
    optimizer.applyGradients([{ name: w.name, tensor: tf.tensor1d([0.5, 0.5]) }]);
    const out = w.dataSync() as Float32Array;
    w.dispose();
    return out;
  }

  it("sets the step of SGD, momentum and Adam", () => {
    expectArraysClose(
      stepWith(createOptimizer(optimizerSchema.parse({ learningRate: 1 })), 0.2),
      [0.9, -2.1],
    );
    const momentum = createOptimizer(optimizerSchema.parse({ learningRate: 1, momentum: 0.9 }));
    expectArraysClose(stepWith(momentum, 0.2), [0.9, -2.1]);
    // Adam's first step is lr · m̂ / (√v̂ + ε) = lr · g / |g|: the learning rate itself.
    const adam = createOptimizer(optimizerSchema.parse({ type: "adamw", learningRate: 1 }));
    expectArraysClose(stepWith(adam, 0.01), [0.99, -2.01], 1e-5);
  });
});

describe("decayKernels", () => {
  beforeAll(() => selectBackend());

  it("shrinks kernels only, not biases or batch-norm parameters", () => {
    const names = ["dense/kernel", "conv5_block1_1_conv/kernel", "dense/bias", "bn/gamma", "bn/beta"];
    const vars = names.map((name) => tf.variable(tf.tensor1d([2, -4]), true, `${name}_${Math.random()}`));
    // Variable names must be unique in tfjs; the layer-given names end in the weight's name.
    const named = names.map((name, i) => Object.assign(vars[i]!, { name }) as tf.Variable);
    expect(named.map(isDecayed)).toEqual([true, true, false, false, false]);
    decayKernels(named, 0.25);
    expect(named.map((v) => Array.from(v.dataSync()))).toEqual([
      [1.5, -3],
      [1.5, -3],
      [2, -4],
      [2, -4],
      [2, -4],
    ]);
    tf.dispose(vars);
  });
});
