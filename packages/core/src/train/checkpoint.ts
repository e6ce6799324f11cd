import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { EpochRecord } from "./history.ts";

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

/** A run's checkpoint: `<runDir>/checkpoint/{last,best,optimizer,average}` and state.json. */
const CHECKPOINT = "checkpoint";

/** What state.json records about the epochs behind a checkpoint. */
export interface CheckpointState {
  epochsDone: number;
  history: EpochRecord[];
  bestEpoch: number;
  /** Steps folded into the weight average (when training.weightAverage > 0). */
  averaged?: number;
}

/**
 * Writes the trainable weights (`last`), the best epoch's (`best`), the optimizer's state and the
 * weight average, then state.json: an interrupted run resumes from the last epoch written whole.
 */
export async function saveCheckpoint(
  runDir: string,
  trainable: tf.LayerVariable[],
  best: tf.Tensor[],
  optimizer: tf.Optimizer,
  average: tf.Tensor[] | null,
  state: CheckpointState,
): Promise<void> {
  const dir = path.join(runDir, CHECKPOINT);
  const named = (values: tf.Tensor[]) => values.map((tensor, i) => ({ name: trainable[i]!.name, tensor }));
  await saveTensors(path.join(dir, "last"), named(trainable.map((w) => w.read())));
  await saveTensors(path.join(dir, "best"), named(best));
  await saveTensors(path.join(dir, "optimizer"), await optimizer.getWeights());
  if (average) await saveTensors(path.join(dir, "average"), named(average));
  // state.json is written last: it names an epoch only once everything for that epoch is on disk.
  await writeFile(path.join(dir, "state.json.tmp"), JSON.stringify(state, null, 2));
  await rename(path.join(dir, "state.json.tmp"), path.join(dir, "state.json"));
}

/** True when `runDir` holds a finished epoch to resume from. */
export function hasCheckpoint(runDir: string): boolean {
  return existsSync(path.join(runDir, CHECKPOINT, "state.json"));
}

export interface ResumedCheckpoint {
  state: CheckpointState;
  /** The best epoch's trainable weights (the caller owns them). */
  best: tf.Tensor[];
  /** The weight average's values, when one was saved and `withAverage` (the caller owns them). */
  average: tf.Tensor[] | null;
}

/**
 * Puts the last checkpointed weights into `trainable` and the optimizer's state into `optimizer`,
 * and returns the rest of the checkpoint. Throws naming `runDir` when no epoch was checkpointed.
 */
export async function resumeFromCheckpoint(
  runDir: string,
  trainable: tf.LayerVariable[],
  optimizer: tf.Optimizer,
  withAverage: boolean,
): Promise<ResumedCheckpoint> {
  if (!hasCheckpoint(runDir))
    throw new Error(`nothing to resume in ${runDir}: no finished epoch was checkpointed`);
  const dir = path.join(runDir, CHECKPOINT);
  const state = JSON.parse(await readFile(path.join(dir, "state.json"), "utf8")) as CheckpointState;
  const tensors = async (name: string) => (await loadTensors(path.join(dir, name))).map((t) => t.tensor);
  const last = await tensors("last");
  try {
    restoreWeights(trainable, last);
  } finally {
    tf.dispose(last);
  }
  if (existsSync(path.join(dir, "optimizer.json"))) {
    await optimizer.setWeights(await loadTensors(path.join(dir, "optimizer")));
  }
  const average = withAverage && existsSync(path.join(dir, "average.json")) ? await tensors("average") : null;
  return { state, best: await tensors("best"), average };
}
