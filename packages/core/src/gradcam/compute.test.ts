import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { expectClose } from "../data/test-helpers.ts";
import { gradCam, gradCamFromActivations } from "./compute.ts";
import { splitForGradCam } from "./split.ts";

/**
 * input 2x2x2 -> 1x1 conv (identity) -> "relu" -> GAP -> Dense(3, softmax), so A = relu(x) and
 * logit_c = sum_k W[k][c] mean(A_k) + b_c: d logit_c / d A_ijk = W[k][c] / 4 everywhere.
 */
const W = [
  [2, -1, -1],
  [-1, 1, -1],
];
const B = [0, 0, -0.1];
function tinyModel(head: "linear" | "hidden" = "linear"): tf.LayersModel {
  const input = tf.input({ shape: [2, 2, 2] });
  let x = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: "conv" }).apply(input);
  x = tf.layers.activation({ activation: "relu", name: "relu" }).apply(x);
  x = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x);
  if (head === "hidden") {
    x = tf.layers.dense({ units: 4, activation: "relu", name: "dense", kernelInitializer: "ones" }).apply(x);
    x = tf.layers.dropout({ rate: 0.5, name: "dropout" }).apply(x);
  }
  const out = tf.layers
    .dense({ units: 3, activation: "softmax", name: head === "hidden" ? "dense_1" : "dense" })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.getLayer("conv").setWeights([tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2])]);
  if (head === "hidden") {
    model.getLayer("dense").setWeights([tf.tensor2d([1, -2, 0.5, 1, 3, 1, -1, 0.25], [2, 4]), tf.zeros([4])]);
    model
      .getLayer("dense_1")
      .setWeights([tf.tensor2d([1, -1, 2, 0, 1, 0, -1, 2, 1, 0.5, 0, -1], [4, 3]), tf.tensor1d(B)]);
  } else {
    model.getLayer("dense").setWeights([tf.tensor2d(W), tf.tensor1d(B)]);
  }
  return model;
}

// A_0 = [[1, 0], [0, 2]], A_1 = [[0, 3], [1, 0]] (NHWC: pixel by pixel, both channels).
const X = [1, 0, 0, 3, 0, 1, 2, 0];
const image = () => tf.tensor4d(X, [1, 2, 2, 2]);

describe("Grad-CAM maths on a hand-checkable model", () => {
  beforeAll(() => selectBackend("wasm"));

  it("weights channels by the pre-softmax logit's gradient and keeps the positive part", async () => {
    const model = tinyModel();
    const x = image();
    const [c0, c1, c2] = await Promise.all([0, 1, 2].map((c) => gradCam(model, x, c)));
    // Class 0: w = [2, -1] / 4; cam = 0.5 A_0 - 0.25 A_1 = [[0.5, -0.75], [-0.25, 1]] -> ReLU, / 1.
    expect(Array.from(c0![0]!.channelWeights)).toEqual([0.5, -0.25]);
    expect(c0![0]!.peak).toBeCloseTo(1, 6);
    expectClose(c0![0]!.heatmap, [0.5, 0, 0, 1], 6);
    // Class 1: w = [-1, 1] / 4; cam = [[-0.25, 0.75], [0.25, -0.5]] -> ReLU, / 0.75.
    expect(Array.from(c1![0]!.channelWeights)).toEqual([-0.25, 0.25]);
    expect(c1![0]!.peak).toBeCloseTo(0.75, 6);
    expectClose(c1![0]!.heatmap, [0, 1, 1 / 3, 0], 6);
    // Class 2: both weights negative and A >= 0: nothing speaks for it; an all-zero map, no NaN.
    expect(c2![0]!.peak).toBe(0);
    expect(Array.from(c2![0]!.heatmap)).toEqual([0, 0, 0, 0]);
    // logits = [2 * 0.75 - 1, -0.75 + 1, -1.75 - 0.1]; probability is the model's softmax output.
    const expected = softmax([0.5, 0.25, -1.85]);
    expectClose(c0![0]!.probabilities, expected, 6);
    expect(c1![0]!.probability).toBeCloseTo(expected[1]!, 6);
    expect(c0![0]).toMatchObject({ classIndex: 0, height: 2, width: 2 });
    tf.dispose(x);
    model.dispose();
  });

  it("explains the top class for 'predicted' and handles a batch image by image", async () => {
    const model = tinyModel();
    // Second image: A_0 = 0, A_1 = [[1, 1], [1, 1]] -> logits [-1, 1, -1.1], so class 1 wins.
    const x = tf.tensor4d([...X, 0, 1, 0, 1, 0, 1, 0, 1], [2, 2, 2, 2]);
    const predicted = await gradCam(model, x, "predicted");
    expect(predicted.map((c) => c.classIndex)).toEqual([0, 1]);
    const perImage = await gradCam(model, x, [1, 0]);
    expect(perImage.map((c) => c.classIndex)).toEqual([1, 0]);
    expectClose(perImage[0]!.heatmap, [0, 1, 1 / 3, 0], 6);
    // Image 2 has a constant A_1 and w = [0.5, -0.25] for class 0: cam < 0 everywhere.
    expect(perImage[1]!.peak).toBe(0);
    expectClose(predicted[1]!.heatmap, [1, 1, 1, 1], 6);
    tf.dispose(x);
    model.dispose();
  });

  it("differentiates through hidden Dense and Dropout layers in inference mode", async () => {
    const model = tinyModel("hidden");
    const { backbone, head } = splitForGradCam(model);
    const x = image();
    const a = backbone.predict(x) as tf.Tensor4D;
    const [cam] = await gradCamFromActivations(head, a, 2);
    // Central finite differences of the logit (x·W + b of the last Dense, computed by hand from
    // the layers' weights) w.r.t. each activation, averaged over positions.
    const logit = (acts: number[]) => {
      const [k1, b1] = model
        .getLayer("dense")
        .getWeights()
        .map((t) => t.arraySync() as number[][]);
      const [k2, b2] = model
        .getLayer("dense_1")
        .getWeights()
        .map((t) => t.arraySync() as number[][]);
      const gap = [0, 1].map((k) => (acts[k]! + acts[2 + k]! + acts[4 + k]! + acts[6 + k]!) / 4);
      const hidden = (b1 as unknown as number[]).map((bias, u) =>
        Math.max(0, bias + gap.reduce((s, g, k) => s + g * k1![k]![u]!, 0)),
      );
      return (b2 as unknown as number[])[2]! + hidden.reduce((s, h, u) => s + h * k2![u]![2]!, 0);
    };
    const acts = Array.from(a.dataSync());
    const eps = 1e-3;
    const grads = acts.map((_, i) => {
      const up = acts.slice();
      const down = acts.slice();
      up[i]! += eps;
      down[i]! -= eps;
      return (logit(up) - logit(down)) / (2 * eps);
    });
    const weights = [0, 1].map((k) => (grads[k]! + grads[2 + k]! + grads[4 + k]! + grads[6 + k]!) / 4);
    expectClose(cam!.channelWeights, weights, 3);
    tf.dispose([x, a]);
    model.dispose();
  });

  it("names the missing layer and a bad class", async () => {
    const input = tf.input({ shape: [2, 2, 2] });
    const gap = tf.layers.globalAveragePooling2d({}).apply(input);
    const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(gap) as tf.SymbolicTensor;
    const noRelu = tf.model({ inputs: input, outputs: out, name: "plain" });
    expect(() => splitForGradCam(noRelu)).toThrow('model "plain" has no layer named "relu"');
    const model = tinyModel();
    const x = image();
    await expect(gradCam(model, x, 3)).rejects.toThrow("class index 3 is not in 0..2");
    await expect(gradCam(model, x, [0, 1])).rejects.toThrow("2 target classes for 1 images");
    const { head } = splitForGradCam(model);
    const wrong = tf.zeros([1, 3, 3, 2]) as tf.Tensor4D;
    await expect(gradCamFromActivations(head, wrong, 0)).rejects.toThrow(
      'activations are [3,3,2] per image, layer "relu" gives [2,2,2]',
    );
    tf.dispose([x, wrong]);
    model.dispose();
    noRelu.dispose();
  });

  it("does not leak tensors", async () => {
    const model = tinyModel("hidden");
    const split = splitForGradCam(model);
    const x = image();
    await gradCam(split, x, "predicted");
    const before = tf.memory().numTensors;
    await gradCam(split, x, "predicted");
    await gradCam(split, x, 1);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

function softmax(z: number[]): number[] {
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
