import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { readTfjsLayersWeights } from "./index.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-tfjs-"));

/** A TF.js model folder with two groups: `a` (one shard) and `b/c` split over two shards. */
function writeModel(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  const manifest = [
    { paths: ["group1-shard1of1"], weights: [{ name: "a/kernel", shape: [2, 3], dtype: "float32" }] },
    {
      paths: ["group2-shard1of2", "group2-shard2of2"],
      weights: [
        { name: "b/gamma", shape: [3], dtype: "float32" },
        { name: "c/kernel", shape: [1, 1, 1, 2], dtype: "float32" },
      ],
    },
  ];
  writeFileSync(
    path.join(dir, "model.json"),
    JSON.stringify({ modelTopology: {}, weightsManifest: manifest }),
  );
  const floats = (...v: number[]) => Buffer.from(new Float32Array(v).buffer);
  writeFileSync(path.join(dir, "group1-shard1of1"), floats(1, 2, 3, 4, 5, 6));
  writeFileSync(path.join(dir, "group2-shard1of2"), floats(7, 8, 9));
  writeFileSync(path.join(dir, "group2-shard2of2"), floats(10, 11));
  return dir;
}

describe("readTfjsLayersWeights", () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("cuts each group's shards into its tensors, from the folder or its model.json", () => {
    const dir = writeModel("ok");
    for (const source of [dir, path.join(dir, "model.json")]) {
      const map = readTfjsLayersWeights(source);
      expect(map.source).toBe(path.join(dir, "model.json"));
      expect(map.missing).toEqual([]);
      expect(map.get("a/kernel")).toEqual({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
      expect(map.get("b/gamma")).toEqual({ shape: [3], data: Float32Array.from([7, 8, 9]) });
      expect(map.get("c/kernel")).toEqual({ shape: [1, 1, 1, 2], data: Float32Array.from([10, 11]) });
    }
  });

  it("lists the tensors of a group with a missing shard instead of failing", () => {
    const dir = writeModel("missing-shard");
    rmSync(path.join(dir, "group2-shard2of2"));
    const map = readTfjsLayersWeights(dir);
    expect([...map.keys()]).toEqual(["a/kernel"]);
    const file = path.join(dir, "group2-shard2of2");
    expect(map.missing).toEqual([
      { name: "b/gamma", shape: [3], file },
      { name: "c/kernel", shape: [1, 1, 1, 2], file },
    ]);
  });

  it("rejects a truncated shard, naming the file and the byte counts", () => {
    const dir = writeModel("truncated");
    writeFileSync(path.join(dir, "group1-shard1of1"), Buffer.alloc(20));
    expect(() => readTfjsLayersWeights(dir)).toThrow(
      `weight shard truncated: ${path.join(dir, "group1-shard1of1")} has 20 bytes, ${path.join(dir, "model.json")} needs 24`,
    );
    writeFileSync(path.join(dir, "group1-shard1of1"), Buffer.alloc(24));
    writeFileSync(path.join(dir, "group2-shard2of2"), Buffer.alloc(4));
    expect(() => readTfjsLayersWeights(dir)).toThrow(
      /group2-shard2of2 \(4 bytes\) have 16 bytes together, .* needs 20/,
    );
  });

  it("explains a missing path, a folder without model.json and a JSON without a manifest", () => {
    const nowhere = path.join(tmp, "nowhere");
    expect(() => readTfjsLayersWeights(nowhere)).toThrow(`TF.js model not found: ${nowhere}`);
    const empty = path.join(tmp, "empty");
    mkdirSync(empty);
    expect(() => readTfjsLayersWeights(empty)).toThrow(`no model.json in ${empty}`);
    const notModel = path.join(empty, "other.json");
    writeFileSync(notModel, "{}");
    expect(() => readTfjsLayersWeights(notModel)).toThrow(`${notModel} has no weightsManifest`);
  });

  it("reads the shared ImageNet DenseNet169: the whole backbone, only fc1000 missing", () => {
    const map = readTfjsLayersWeights(sharedPaths.imagenetWeights());
    const present = [...map.values()].reduce((n, w) => n + w.data.length, 0);
    const absent = map.missing.reduce((n, m) => n + m.shape.reduce((a, b) => a * b, 1), 0);
    // SOURCE.md: 846 tensors, 14,307,880 parameters; group331-shard1of2 (fc1000) is gone.
    expect(map.size + map.missing.length).toBe(846);
    expect(present + absent).toBe(14_307_880);
    expect(map.missing.map((m) => m.name)).toEqual(["fc1000/kernel", "fc1000/bias"]);
    expect(path.basename(map.missing[0]!.file)).toBe("group331-shard1of2");
    expect(map.get("conv1/conv/kernel")!.shape).toEqual([7, 7, 3, 64]);
    for (const w of map.values()) expect(w.data.every(Number.isFinite)).toBe(true);
  });
});
