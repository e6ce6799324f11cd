import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { type MissingTensor, sizeOf, WeightMap } from "./weight-map.ts";

/** model.json inside `dirOrModelJson` when it is a directory, else the path itself. */
export function modelJsonPath(dirOrModelJson: string): string {
  if (!existsSync(dirOrModelJson)) throw new Error(`TF.js model not found: ${dirOrModelJson}`);
  if (!statSync(dirOrModelJson).isDirectory()) return dirOrModelJson;
  const file = path.join(dirOrModelJson, "model.json");
  if (!existsSync(file)) throw new Error(`no model.json in ${dirOrModelJson}`);
  return file;
}

export function readModelJson(file: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${file} has no weightsManifest: not a TF.js layers model`);
  return json as tf.io.ModelJSON;
}

/**
 * Reads the weights of a TF.js layers model (model.json plus its shard files, which the 2018
 * converter wrote without a `.bin` suffix), one weight group at a time. A group with a shard file
 * missing goes into `missing` instead of failing the read; a shard of the wrong size is an error.
 */
export function readTfjsLayersWeights(dirOrModelJson: string): WeightMap {
  const file = modelJsonPath(dirOrModelJson);
  const dir = path.dirname(file);
  const { weightsManifest } = readModelJson(file);
  const missing: MissingTensor[] = [];
  const map = new WeightMap(file, missing);

  for (const group of weightsManifest) {
    const shards = group.paths.map((p) => path.join(dir, p));
    const absent = shards.find((s) => !existsSync(s));
    if (absent) {
      for (const w of group.weights) missing.push({ name: w.name, shape: w.shape, file: absent });
      continue;
    }
    for (const w of group.weights) {
      if (w.dtype !== "float32" || w.quantization) {
        throw new Error(
          `${file}: weight ${w.name} is ${w.quantization ? "quantized" : w.dtype}, only float32 is supported`,
        );
      }
    }
    const bytes = readGroup(
      shards,
      group.weights.reduce((n, w) => n + sizeOf(w.shape) * 4, 0),
      file,
    );
    let offset = 0;
    for (const w of group.weights) {
      const n = sizeOf(w.shape);
      map.set(w.name, { shape: [...w.shape], data: new Float32Array(bytes.buffer, offset, n) });
      offset += n * 4;
    }
  }
  return map;
}

/** The group's shards concatenated into a fresh (so 4-byte aligned) buffer of `expected` bytes. */
function readGroup(shards: string[], expected: number, modelJson: string): Uint8Array {
  const sizes = shards.map((s) => statSync(s).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== expected) {
    const what = total < expected ? "truncated" : "too large";
    const found =
      shards.length === 1
        ? `${shards[0]} has ${total} bytes`
        : `${shards.map((s, i) => `${s} (${sizes[i]} bytes)`).join(", ")} have ${total} bytes together`;
    throw new Error(`weight shard ${what}: ${found}, ${modelJson} needs ${expected}`);
  }
  const bytes = new Uint8Array(expected);
  let at = 0;
  for (const shard of shards) {
    const chunk = readFileSync(shard);
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
