import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { buildDenseNet } from "./densenet.ts";
import { freezeLayers } from "./freeze.ts";

const { expectArraysClose } = tf.test_util;

// Layers: input (0), dense (1), bn1 (2), bn2 (3). Moving statistics far from the batch's own,
// so batch-statistics and moving-statistics outputs are easy to tell apart.
function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  const dense = tf.layers.dense({ units: 3, name: "dense", kernelInitializer: "ones" }).apply(input);
  const bn1 = tf.layers.batchNormalization({ name: "bn1" }).apply(dense);
  const bn2 = tf.layers.batchNormalization({ name: "bn2" }).apply(bn1);
  const model = tf.model({ inputs: input, outputs: bn2 as tf.SymbolicTensor });
  for (const name of ["bn1", "bn2"]) {
    const values = [tf.fill([3], 1.5), tf.fill([3], 0.25), tf.fill([3], -3), tf.fill([3], 4)];
    model.getLayer(name).setWeights(values);
    tf.dispose(values);
  }
  return model;
}

const batch = () => tf.tensor2d([1, 2, 3, 4, 0, 1, 0, 1, 5, 5, 5, 5, -1, 2, 0, 3], [4, 4]);

/** The layer's moving mean and variance (the last two of gamma, beta, mean, variance). */
const movingStats = (layer: tf.layers.Layer) =>
  layer
    .getWeights()
    .slice(2)
    .map((w) => Array.from(w.dataSync()));

/** Output of `layer` in training and in inference mode, and whether training mode moved its statistics. */
function runBoth(layer: tf.layers.Layer) {
  const x = tf.randomUniform([6, 3], 0, 10, "float32", 11);
  const before = movingStats(layer);
  const trainOut = layer.apply(x, { training: true }) as tf.Tensor;
  const statsMoved = JSON.stringify(movingStats(layer)) !== JSON.stringify(before);
  const inferOut = layer.apply(x, { training: false }) as tf.Tensor;
  const result = { train: trainOut.dataSync(), infer: inferOut.dataSync(), statsMoved };
  tf.dispose([x, trainOut, inferOut]);
  return result;
}

describe("freezeLayers", () => {
  beforeAll(() => selectBackend());

  it("makes layers [0, n) non-trainable and the rest trainable", () => {
    const model = tinyModel();
    freezeLayers(model, 3);
    expect(model.layers.map((l) => l.trainable)).toEqual([false, false, false, true]);
    expect(model.trainableWeights.map((w) => w.name)).toEqual([
      expect.stringContaining("bn2"),
      expect.stringContaining("bn2"),
    ]);
    freezeLayers(model, 1);
    expect(model.layers.map((l) => l.trainable)).toEqual([false, true, true, true]);
    model.dispose();
  });

  it("runs a frozen BatchNormalization on its moving statistics, without updating them", () => {
    const model = tinyModel();
    freezeLayers(model, 3);
    const frozen = runBoth(model.getLayer("bn1"));
    expectArraysClose(frozen.train, frozen.infer, 1e-6);
    expect(frozen.statsMoved).toBe(false);
    model.dispose();
  });

  it("leaves a trainable BatchNormalization on batch statistics, updating them", () => {
    const model = tinyModel();
    freezeLayers(model, 3);
    const bn2 = model.getLayer("bn2");
    const x = tf.randomUniform([6, 3], 0, 10, "float32", 11);
    const meanBefore = movingStats(bn2)[0]![0]!;
    const batchMean = tf.mean(x, 0).dataSync()[0]!;
    const out = bn2.apply(x, { training: true }) as tf.Tensor;
    // Normalised by batch statistics: gamma * (x - mean) / std + beta has column mean beta.
    expectArraysClose(tf.mean(out, 0).dataSync(), [0.25, 0.25, 0.25], 1e-4);
    const meanAfter = movingStats(bn2)[0]![0]!;
    expect(meanAfter).not.toBe(meanBefore);
    expect(Math.abs(meanAfter - batchMean)).toBeLessThan(Math.abs(meanBefore - batchMean));
    tf.dispose([x, out]);
    const again = runBoth(bn2);
    expect(again.statsMoved).toBe(true);
    expect(Math.max(...again.train.map((v, i) => Math.abs(v - again.infer[i]!)))).toBeGreaterThan(0.1);
    model.dispose();
  });

  it('with "moving" runs trainable BatchNormalization on moving statistics too, still training gamma', () => {
    const model = tinyModel();
    freezeLayers(model, 3, "moving");
    const bn2 = model.getLayer("bn2");
    expect(bn2.trainable).toBe(true);
    const result = runBoth(bn2);
    expectArraysClose(result.train, result.infer, 1e-6);
    expect(result.statsMoved).toBe(false);

    const x = batch();
    const gammaGrad = tf.tidy(() => {
      const gamma = bn2.trainableWeights[0]!.read() as tf.Variable;
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        [gamma],
      );
      return grads[gamma.name]!;
    });
    expect(Math.max(...gammaGrad.dataSync().map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([x, gammaGrad]);
    model.dispose();
  });

  it("can be called again with another n without stacking the inference-mode override", () => {
    const model = tinyModel();
    freezeLayers(model, 4, "moving");
    freezeLayers(model, 4, "moving");
    freezeLayers(model, 0);
    // Had the override wrapped itself, bn1 and bn2 would still ignore `training: true`.
    for (const name of ["bn1", "bn2"]) {
      const result = runBoth(model.getLayer(name));
      expect(result.statsMoved).toBe(true);
    }
    freezeLayers(model, 3);
    expect(runBoth(model.getLayer("bn1")).statsMoved).toBe(false);
    expect(runBoth(model.getLayer("bn2")).statsMoved).toBe(true);
    model.dispose();
  });

  it("makes a fully frozen DenseNet a fixed function in training mode", () => {
    const model = buildDenseNet({
      architecture: "densenet121",
      imageSize: 32,
      numClasses: 3,
      head: { denseUnits: [8], dropout: 0 },
    });
    freezeLayers(model, model.layers.length);
    const bns = model.layers.filter((l) => l.getClassName() === "BatchNormalization");
    const before = bns.map((l) => movingStats(l));
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, "float32", 5);
    const train = model.apply(x, { training: true }) as tf.Tensor;
    const infer = model.apply(x, { training: false }) as tf.Tensor;
    expectArraysClose(train.dataSync(), infer.dataSync(), 1e-6);
    expect(bns.map((l) => movingStats(l))).toEqual(before);
    tf.dispose([x, train, infer]);
    model.dispose();
  });
});
