import { mkdtemp, readdir, readFile, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { loadTensors, mutableWeights, restoreWeights, saveTensors, snapshotWeights } from "./checkpoint.ts";

let dir = "";

// Layers: input (0), dense (1), bn (2), head (3).
function smallNet(): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  let x = tf.layers.dense({ units: 3, name: "dense" }).apply(input);
  x = tf.layers.batchNormalization({ name: "bn" }).apply(x);
  x = tf.layers.dense({ units: 2, name: "head" }).apply(x);
  return tf.model({ inputs: input, outputs: x as tf.SymbolicTensor });
}

const valuesOf = (weights: tf.LayerVariable[]) => weights.map((w) => Array.from(w.read().dataSync()));

describe("saveTensors / loadTensors", () => {
  beforeAll(async () => {
    await selectBackend();
    dir = await mkdtemp(path.join(tmpdir(), "cxrlab-checkpoint-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const tensors = () => [
    { name: "a/kernel", tensor: tf.randomNormal([3, 2], 0, 1, "float32", 1) },
    { name: "b", tensor: tf.tensor1d([-0, 1e-30, 3.4e38, -7.25]) },
    { name: "step", tensor: tf.scalar(12) },
  ];

  it("round-trips names, shapes and exact values, leaving no temporary files", async () => {
    const file = path.join(dir, "nested", "last");
    const saved = tensors();
    await saveTensors(file, saved);
    expect((await readdir(path.dirname(file))).sort()).toEqual(["last.bin", "last.json"]);

    const loaded = await loadTensors(file);
    expect(loaded.map((t) => t.name)).toEqual(["a/kernel", "b", "step"]);
    loaded.forEach(({ tensor }, i) => {
      const original = saved[i]!.tensor;
      expect(tensor.shape).toEqual(original.shape);
      expect(tensor.dtype).toBe("float32");
      expect(tensor.dataSync()).toEqual(original.dataSync());
    });
    tf.dispose([...saved, ...loaded].map((t) => t.tensor));
  });

  it("names the tensor a truncated .bin file cuts into", async () => {
    const file = path.join(dir, "cut");
    const saved = tensors();
    await saveTensors(file, saved);
    tf.dispose(saved.map((t) => t.tensor));
    // 6 + 4 + 1 floats; keep the kernel and half of "b".
    await truncate(`${file}.bin`, (6 + 2) * 4);
    await expect(loadTensors(file)).rejects.toThrow(`checkpoint ${file}.bin is truncated at tensor b`);
    // A cut inside a float still counts.
    await saveTensors(file, tensors());
    const size = (await readFile(`${file}.bin`)).byteLength;
    await truncate(`${file}.bin`, size - 2);
    await expect(loadTensors(file)).rejects.toThrow(`checkpoint ${file}.bin is truncated at tensor step`);
  });
});

describe("mutableWeights / snapshotWeights / restoreWeights", () => {
  beforeAll(() => selectBackend());

  it("lists every weight of layers [from, end), batch-norm moving statistics included", () => {
    const model = smallNet();
    const names = mutableWeights(model, 2).map((w) => w.name);
    expect(names).toHaveLength(6);
    expect(names.slice(0, 4).every((n) => n.startsWith("bn/"))).toBe(true);
    expect(names.some((n) => n.includes("moving_mean"))).toBe(true);
    expect(names.slice(4).every((n) => n.startsWith("head/"))).toBe(true);
    expect(mutableWeights(model, 0)).toHaveLength(8);
    model.dispose();
  });

  it("restores a snapshot exactly, independent of later changes", () => {
    const model = smallNet();
    const weights = mutableWeights(model, 1);
    const original = valuesOf(weights);
    const snapshot = snapshotWeights(weights);
    for (const w of weights) w.write(tf.onesLike(w.read()));
    expect(valuesOf(weights)).not.toEqual(original);
    expect(snapshot.map((t) => Array.from(t.dataSync()))).toEqual(original);

    restoreWeights(weights, snapshot);
    tf.dispose(snapshot);
    expect(valuesOf(weights)).toEqual(original);
    model.dispose();
  });

  it("refuses a snapshot of the wrong length or shape", () => {
    const model = smallNet();
    const weights = mutableWeights(model, 3);
    const [kernel, bias] = snapshotWeights(weights) as [tf.Tensor, tf.Tensor];
    expect(() => restoreWeights(weights, [kernel])).toThrow("checkpoint holds 1 tensors, the model needs 2");
    expect(() => restoreWeights(weights, [kernel, tf.zeros([3])])).toThrow(
      `checkpoint tensor for ${weights[1]!.name} has shape [3], expected [2]`,
    );
    tf.dispose([kernel, bias]);
    model.dispose();
  });
});
