import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import h5wasm from "h5wasm/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { buildDenseNet } from "../model/densenet.ts";
import { applyImageNetWeights, readKerasH5Weights, writeKerasH5Weights } from "./index.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-h5-"));
const build = () =>
  buildDenseNet({
    architecture: "densenet121",
    imageSize: 32,
    numClasses: 3,
    head: { denseUnits: [8], dropout: 0.3 },
  });

describe("Keras HDF5 weights", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
    await h5wasm.ready;
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("writes the official layout: layer_names, weight_names, datasets under <layer>/<weight name>", async () => {
    const file = path.join(tmp, "layout.h5");
    const model = build();
    await writeKerasH5Weights(file, model);
    const f = new h5wasm.File(file, "r");
    try {
      const layerNames = f.attrs.layer_names!.value as string[];
      expect(layerNames.slice(0, 2)).toEqual(["conv1/conv", "conv1/bn"]);
      expect(layerNames.at(-1)).toBe("dense_1");
      expect((f.get("conv1/bn") as InstanceType<typeof h5wasm.Group>).attrs.weight_names!.value).toEqual([
        "conv1/bn/gamma:0",
        "conv1/bn/beta:0",
        "conv1/bn/moving_mean:0",
        "conv1/bn/moving_variance:0",
      ]);
      const kernel = f.get("conv1/conv/conv1/conv/kernel:0") as InstanceType<typeof h5wasm.Dataset>;
      expect(kernel.shape).toEqual([7, 7, 3, 64]);
      expect(kernel.dtype).toBe("<f");
    } finally {
      f.close();
    }
    model.dispose();
  });

  it("round-trips a whole model, head included, with identical predictions", async () => {
    const file = path.join(tmp, "model.h5");
    const source = build();
    await writeKerasH5Weights(file, source);
    const target = build();
    const summary = applyImageNetWeights(target, await readKerasH5Weights(file));
    expect(summary.layersKept).toEqual([]);
    expect(summary.unused).toEqual([]);
    expect(summary.paramsLoaded).toBe(source.countParams());

    const x = tf.randomUniform([2, 32, 32, 3], -2, 2, "float32", 7);
    const [a, b] = [source, target].map((m) => m.predict(x) as tf.Tensor);
    expect(b!.dataSync()).toEqual(a!.dataSync());
    tf.dispose([x, a!, b!]);
    source.dispose();
    target.dispose();
  });

  it("reads the full-model layout (model_weights/), chunked layer_names and weightless layers", async () => {
    const file = path.join(tmp, "full-model.h5");
    const f = new h5wasm.File(file, "w");
    f.create_attribute("model_config", "{}");
    const root = f.create_group("model_weights");
    root.create_attribute("layer_names0", ["input_1", "conv1/conv"], [2], "S10");
    root.create_attribute("layer_names1", ["dense"], [1], "S5");
    root.create_group("input_1").create_attribute("weight_names", new Float64Array(0), [0]);
    root.create_group("conv1");
    const conv = root.get("conv1") as InstanceType<typeof h5wasm.Group>;
    const convGroup = conv.create_group("conv");
    convGroup.create_attribute("weight_names", ["conv1/conv/kernel:0"], [1], "S19");
    convGroup.create_group("conv1");
    (convGroup.get("conv1") as InstanceType<typeof h5wasm.Group>).create_group("conv");
    (convGroup.get("conv1/conv") as InstanceType<typeof h5wasm.Group>).create_dataset({
      name: "kernel:0",
      data: Float32Array.from({ length: 8 }, (_, i) => i),
      shape: [1, 1, 2, 4],
      dtype: "<f",
    });
    // Keras 3 writes weight names without the layer prefix.
    const dense = root.create_group("dense");
    dense.create_attribute("weight_names", ["kernel", "bias"], [2], "S6");
    dense.create_dataset({ name: "kernel", data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] });
    dense.create_dataset({ name: "bias", data: new Float32Array([0.5, -0.5]), shape: [2], dtype: "<f" });
    f.close();

    const map = await readKerasH5Weights(file);
    expect([...map.keys()]).toEqual(["conv1/conv/kernel", "dense/kernel", "dense/bias"]);
    expect(map.get("conv1/conv/kernel")).toEqual({
      shape: [1, 1, 2, 4],
      data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
    });
    expect(map.get("dense/kernel")).toEqual({ shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
  });

  it("explains files it cannot read", async () => {
    const missing = path.join(tmp, "nope.h5");
    await expect(readKerasH5Weights(missing)).rejects.toThrow(`Keras weights file not found: ${missing}`);

    const junk = path.join(tmp, "junk.h5");
    writeFileSync(junk, "not hdf5 at all");
    await expect(readKerasH5Weights(junk)).rejects.toThrow(
      /cannot read HDF5 file .*junk\.h5: file signature not found/,
    );

    const plain = path.join(tmp, "plain.h5");
    const f = new h5wasm.File(plain, "w");
    f.create_dataset({ name: "x", data: new Float32Array([1]) });
    f.close();
    await expect(readKerasH5Weights(plain)).rejects.toThrow(/plain\.h5 is not a Keras HDF5 weights file/);
  });
});
