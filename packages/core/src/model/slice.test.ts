import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { buildDenseNet } from "./densenet.ts";
import { sliceModelFrom, sliceModelUntil } from "./slice.ts";

const { expectArraysClose } = tf.test_util;

const build = () =>
  buildDenseNet({
    architecture: "densenet121",
    imageSize: 32,
    numClasses: 3,
    head: { denseUnits: [8], dropout: 0.3 },
  });

const indexOf = (model: tf.LayersModel, name: string) => model.layers.findIndex((l) => l.name === name);

/** Runs `prefix` then `suffix` and the whole `model` on the same input. */
function composeAndWhole(model: tf.LayersModel, prefix: tf.LayersModel, suffix: tf.LayersModel) {
  return tf.tidy(() => {
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, "float32", 9);
    const features = prefix.predict(x) as tf.Tensor;
    return {
      featureShape: features.shape,
      composed: (suffix.predict(features) as tf.Tensor).dataSync(),
      whole: (model.predict(x) as tf.Tensor).dataSync(),
    };
  });
}

describe("sliceModelUntil / sliceModelFrom", () => {
  beforeAll(() => selectBackend());

  it("splits DenseNet121 after the pool3 transition into two parts that compose to the whole", () => {
    const model = build();
    const cut = indexOf(model, "pool3_pool") + 1;
    const prefix = sliceModelUntil(model, cut);
    const suffix = sliceModelFrom(model, cut);
    expect(prefix.outputs[0]!.shape).toEqual(model.getLayer("pool3_pool").outputShape);
    expect(suffix.inputs[0]!.shape).toEqual(model.getLayer("pool3_pool").outputShape);
    expect(suffix.layers[1]!.name).toBe(model.layers[cut]!.name);

    const { featureShape, composed, whole } = composeAndWhole(model, prefix, suffix);
    expect(featureShape).toEqual([3, 2, 2, 256]);
    expectArraysClose(composed, whole, 1e-6);
  });

  it("splits at the head, leaving the dense layers on pooled features", () => {
    const model = build();
    const cut = indexOf(model, "dense");
    const prefix = sliceModelUntil(model, cut);
    const suffix = sliceModelFrom(model, cut);
    expect(suffix.layers.slice(1).map((l) => l.name)).toEqual(["dense", "dropout", "dense_1"]);
    const { featureShape, composed, whole } = composeAndWhole(model, prefix, suffix);
    expect(featureShape).toEqual([3, 1024]);
    expectArraysClose(composed, whole, 1e-6);
  });

  it("shares the layers, so changing a weight changes every part", () => {
    const model = build();
    const cut = indexOf(model, "pool3_pool") + 1;
    const prefix = sliceModelUntil(model, cut);
    const suffix = sliceModelFrom(model, cut);
    expect(suffix.getLayer("dense_1")).toBe(model.getLayer("dense_1"));
    expect(prefix.getLayer("conv1/conv")).toBe(model.getLayer("conv1/conv"));

    const before = composeAndWhole(model, prefix, suffix);
    const head = model.getLayer("dense_1");
    const values = head.getWeights().map((w) => tf.mul(w, -2));
    head.setWeights(values);
    expectArraysClose(suffix.getLayer("dense_1").getWeights()[0]!.dataSync(), values[0]!.dataSync(), 0);
    const after = composeAndWhole(model, prefix, suffix);
    expectArraysClose(after.composed, after.whole, 1e-6);
    expect(Math.max(...after.whole.map((v, i) => Math.abs(v - before.whole[i]!)))).toBeGreaterThan(1e-4);
    tf.dispose(values);
  });

  it("refuses a cut inside a dense block, naming the layer that reads across it", () => {
    const model = build();
    const cut = indexOf(model, "conv3_block2_1_conv");
    expect(() => sliceModelFrom(model, cut)).toThrow(
      `layer conv3_block2_concat reads conv3_block1_concat, which is before the cut at ${cut}`,
    );
  });

  it("refuses cuts outside the model", () => {
    const model = build();
    const n = model.layers.length;
    expect(() => sliceModelFrom(model, 0)).toThrow("cannot slice at layer 0");
    expect(() => sliceModelFrom(model, n)).toThrow(`cannot slice at layer ${n}`);
    expect(() => sliceModelUntil(model, 0)).toThrow("cannot slice at layer 0");
    expect(() => sliceModelUntil(model, n + 1)).toThrow(`cannot slice at layer ${n + 1}`);
  });

  it("slices the same model more than once", () => {
    const model = build();
    const early = indexOf(model, "pool3_pool") + 1;
    const late = indexOf(model, "pool4_pool") + 1;
    sliceModelFrom(model, early);
    const prefix = sliceModelUntil(model, late);
    const suffix = sliceModelFrom(model, late);
    const { composed, whole } = composeAndWhole(model, prefix, suffix);
    expectArraysClose(composed, whole, 1e-6);
  });
});
