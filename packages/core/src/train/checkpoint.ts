import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** Saves named float32 tensors as `<file>.json` + `<file>.bin`, atomically (write, then rename). */
export async function saveTensors(
  file: string,
  tensors: { name: string; tensor: tf.Tensor }[],
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const entries: TensorEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    const data = (await tensor.data()) as Float32Array;
    entries.push({ name, shape: tensor.shape, offset });
    chunks.push(data);
    offset += data.length;
  }
  const bin = new Float32Array(offset);
  for (const [i, c] of chunks.entries()) bin.set(c, entries[i]!.offset);
  await writeFile(`${file}.bin.tmp`, new Uint8Array(bin.buffer));
  await writeFile(`${file}.json.tmp`, JSON.stringify(entries));
  await rename(`${file}.bin.tmp`, `${file}.bin`);
  await rename(`${file}.json.tmp`, `${file}.json`);
}

export async function loadTensors(file: string): Promise<{ name: string; tensor: tf.Tensor }[]> {
  const entries = JSON.parse(await readFile(`${file}.json`, "utf8")) as TensorEntry[];
  const buf = await readFile(`${file}.bin`);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return entries.map(({ name, shape, offset }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + size > all.length) throw new Error(`checkpoint ${file}.bin is truncated at tensor ${name}`);
    return { name, tensor: tf.tensor(all.slice(offset, offset + size), shape) };
  });
}

/** The weights training can change: every weight (incl. BN moving statistics) of layers [from, end). */
export function mutableWeights(model: tf.LayersModel, from: number): tf.LayerVariable[] {
  return model.layers.slice(from).flatMap((layer) => layer.weights);
}

export function snapshotWeights(weights: tf.LayerVariable[]): tf.Tensor[] {
  return weights.map((w) => tf.clone(w.read()));
}

export function restoreWeights(weights: tf.LayerVariable[], values: tf.Tensor[]): void {
  if (values.length !== weights.length) {
    throw new Error(`checkpoint holds ${values.length} tensors, the model needs ${weights.length}`);
  }
  // Check every shape before writing any, so a bad checkpoint leaves the model as it was.
  weights.forEach((w, i) => {
    const v = values[i]!;
    if (v.shape.join() !== w.shape.join()) {
      throw new Error(`checkpoint tensor for ${w.name} has shape [${v.shape}], expected [${w.shape}]`);
    }
  });
  for (const [i, w] of weights.entries()) w.write(values[i]!);
}
