import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { buildDenseNet } from "../model/densenet.ts";
import { sharedPaths } from "../paths.ts";
import { applyImageNetWeights, readTfjsLayersWeights, WeightMap } from "./index.ts";
import { normalizeLayerName, splitWeightKey } from "./weight-map.ts";

const build = (architecture: "densenet121" | "densenet169") =>
  buildDenseNet({ architecture, imageSize: 32, numClasses: 3, head: { denseUnits: [8], dropout: 0.3 } });

/** A copy of `weights` with `edit` applied to each (key, tensor); returning null drops the entry. */
function edited(weights: WeightMap, edit: (key: string) => string | null): WeightMap {
  const copy = new WeightMap(`${weights.source} (edited)`, weights.missing);
  for (const [key, value] of weights) {
    const to = edit(key);
    if (to) copy.set(to, value);
  }
  return copy;
}

describe("applyImageNetWeights", () => {
  let weights: WeightMap;
  beforeAll(async () => {
    await selectBackend("wasm");
    weights = readTfjsLayersWeights(sharedPaths.imagenetWeights());
  });

  it("assigns every BatchNormalization tensor by name, whatever the order in the file", () => {
    const reversed = new WeightMap(weights.source);
    for (const [key, value] of [...weights].reverse()) reversed.set(key, value);
    const model = build("densenet169");
    applyImageNetWeights(model, reversed);
    const layer = model.getLayer("conv3_block7_1_bn");
    const byName = Object.fromEntries(
      layer.weights.map((v, i) => [v.originalName.split("/").pop(), layer.getWeights()[i]!.dataSync()]),
    );
    for (const w of ["gamma", "beta", "moving_mean", "moving_variance"]) {
      expect(byName[w]).toEqual(weights.get(`conv3_block7_1_bn/${w}`)!.data);
    }
    model.dispose();
  });

  it("accepts Keras 3 layer names (conv1_conv for conv1/conv)", () => {
    const keras3 = edited(weights, (key) => {
      const { layer, weight } = splitWeightKey(key);
      return `${normalizeLayerName(layer)}/${weight}`;
    });
    expect(keras3.has("conv1_conv/kernel")).toBe(true);
    const model = build("densenet169");
    const summary = applyImageNetWeights(model, keras3);
    expect(summary.unused).toEqual([]);
    expect(model.getLayer("conv1/conv").getWeights()[0]!.dataSync()).toEqual(
      weights.get("conv1/conv/kernel")!.data,
    );
    model.dispose();
  });

  it("finds the variables of a model built twice, whose tfjs names get a _1 suffix", () => {
    const first = build("densenet169");
    const second = build("densenet169");
    expect(second.getLayer("conv1/bn").weights[0]!.name).toMatch(/_\d+$/);
    applyImageNetWeights(second, weights);
    expect(second.getLayer("conv1/bn").getWeights()[3]!.dataSync()).toEqual(
      weights.get("conv1/bn/moving_variance")!.data,
    );
    first.dispose();
    second.dispose();
  });

  it("fails on a backbone layer missing from the file, naming the layer and the source", () => {
    const model = build("densenet169");
    const before = model.getLayer("conv1/conv").getWeights()[0]!.dataSync().slice();
    const partial = edited(weights, (key) => (key.startsWith("conv4_block9_2_conv/") ? null : key));
    expect(() => applyImageNetWeights(model, partial)).toThrow(
      /conv4_block9_2_conv.*\[3,3,128,32\].*not found in .*model\.json \(edited\)/,
    );
    // Nothing is assigned when the file does not fit.
    expect(model.getLayer("conv1/conv").getWeights()[0]!.dataSync()).toEqual(before);
    model.dispose();
  });

  it("fails on a shape mismatch with the expected and found shapes (DenseNet121 vs 169 weights)", () => {
    const model = build("densenet121");
    // DenseNet121's pool4 transition sees 1024 channels, DenseNet169's 1280.
    expect(() => applyImageNetWeights(model, weights)).toThrow(
      /layer pool4_bn: weight gamma has shape \[1280\] in .*model\.json, the model expects \[1024\]/,
    );
    model.dispose();
  });

  it("names the missing shard file when a needed layer lives in it", () => {
    const input = tf.input({ shape: [1664] });
    const fc = tf.layers.dense({ units: 1000, name: "fc1000" }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: fc });
    expect(() => applyImageNetWeights(model, weights)).toThrow(
      /layer fc1000: fc1000\/kernel \[1664,1000\] is listed in .* but its file .*group331-shard1of2 is missing/,
    );
    model.dispose();
  });
});
