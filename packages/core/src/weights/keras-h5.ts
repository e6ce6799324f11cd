import { existsSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import h5wasm, { type Group } from "h5wasm/node";
import { splitWeightKey, WeightMap, weightMapFromModel } from "./weight-map.ts";

let ready: Promise<void> | null = null;

/** h5wasm, switched to throwing JS errors (its default only prints HDF5-DIAG to stderr). */
function h5(): Promise<void> {
  ready ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
  });
  return ready;
}

function open(file: string, mode: "r" | "w"): InstanceType<typeof h5wasm.File> {
  try {
    return new h5wasm.File(path.resolve(file), mode);
  } catch (err) {
    // The innermost frame of HDF5's error stack says what went wrong ("file signature not found").
    const frames = (err as Error).message.split("\n").filter((l) => /^\s*#\d+:/.test(l));
    const reason = frames.at(-1)?.replace(/^.*\(\):\s*/, "") ?? (err as Error).message;
    throw new Error(`cannot ${mode === "r" ? "read" : "write"} HDF5 file ${file}: ${reason}`);
  }
}

/** A string-list attribute, joined from Keras' `name0`, `name1`... chunks when it was too big for one. */
function stringListAttr(group: Group, name: string): string[] | null {
  const attrs = group.attrs;
  const parts = attrs[name] ? [name] : Object.keys(attrs).filter((k) => new RegExp(`^${name}\\d+$`).test(k));
  if (parts.length === 0) return null;
  parts.sort((a, b) => Number(a.slice(name.length) || 0) - Number(b.slice(name.length) || 0));
  return parts.flatMap((k) => {
    const value = attrs[k]?.value;
    const list = Array.isArray(value) ? value : [value];
    return list.filter((v): v is string => typeof v === "string").map((v) => v.replace(/\0+$/, ""));
  });
}

/**
 * Reads Keras HDF5 weights: the weights-only layout of `model.save_weights('x.h5')` and of the
 * official `densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5` (root attribute
 * `layer_names`, one group per layer with attribute `weight_names`, datasets at
 * `<layer>/<weight name>`), or the same under `model_weights/` in a full `model.save('x.h5')`.
 * Keys drop the `:0` suffix: `conv1/conv/conv1/conv/kernel:0` becomes `conv1/conv/kernel`.
 */
export async function readKerasH5Weights(file: string): Promise<WeightMap> {
  if (!existsSync(file)) throw new Error(`Keras weights file not found: ${file}`);
  await h5();
  const f = open(file, "r");
  try {
    const nested = f.get("model_weights");
    const root = nested instanceof h5wasm.Group ? nested : f;
    const layerNames = stringListAttr(root, "layer_names");
    if (!layerNames) {
      throw new Error(
        `${file} is not a Keras HDF5 weights file (no layer_names attribute${f.get("vars") || f.get("layers") ? "; Keras 3 .weights.h5 files are not supported, save with model.save('x.h5')" : ""})`,
      );
    }
    const map = new WeightMap(file);
    for (const layer of layerNames) {
      const group = root.get(layer);
      if (!(group instanceof h5wasm.Group)) {
        throw new Error(`${file}: layer_names lists ${layer} but it has no group`);
      }
      for (const weightName of stringListAttr(group, "weight_names") ?? []) {
        const dataset = group.get(weightName);
        if (!(dataset instanceof h5wasm.Dataset)) {
          throw new Error(`${file}: dataset ${layer}/${weightName} is missing`);
        }
        const key = weightName.replace(/:\d+$/, "");
        map.set(key.includes("/") ? key : `${layer}/${key}`, {
          shape: dataset.shape ?? [],
          data: float32(dataset, file),
        });
      }
    }
    return map;
  } finally {
    f.close();
  }
}

function float32(dataset: InstanceType<typeof h5wasm.Dataset>, file: string): Float32Array {
  const value = dataset.value;
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new Error(
    `${file}: dataset ${dataset.path} has dtype ${JSON.stringify(dataset.dtype)}, expected float32`,
  );
}

/**
 * Writes weights in the layout of Keras' official weights-only files (see readKerasH5Weights),
 * with Keras 2 names: layer `conv1/conv`, weight `conv1/conv/kernel:0`. A model is written with
 * every layer that has weights, in layer order.
 */
export async function writeKerasH5Weights(file: string, weights: WeightMap | tf.LayersModel): Promise<void> {
  const map = weights instanceof tf.LayersModel ? await weightMapFromModel(weights) : weights;
  const layers = new Map<string, string[]>();
  for (const key of map.keys()) {
    const { layer } = splitWeightKey(key);
    layers.set(layer, [...(layers.get(layer) ?? []), key]);
  }
  await h5();
  const f = open(file, "w");
  try {
    stringListAttrWrite(f, "layer_names", [...layers.keys()]);
    f.create_attribute("backend", "tensorflow");
    // Keras only converts weights from files whose keras_version is 1.x; this is the Keras 2 layout.
    f.create_attribute("keras_version", "2.1.4");
    for (const [layer, keys] of layers) {
      const group = ensureGroup(f, layer);
      const names = keys.map((k) => `${k}:0`);
      stringListAttrWrite(group, "weight_names", names);
      keys.forEach((key, i) => {
        const name = names[i]!;
        const parent = ensureGroup(group, path.posix.dirname(name));
        const { shape, data } = map.get(key)!;
        parent.create_dataset({ name: path.posix.basename(name), data, shape, dtype: "<f" });
      });
    }
  } finally {
    f.close();
  }
}

/** Fixed-length byte strings, as h5py writes a NumPy `S` array. */
function stringListAttrWrite(group: Group, name: string, values: string[]): void {
  const width = Math.max(1, ...values.map((v) => Buffer.byteLength(v)));
  group.create_attribute(name, values, [values.length], `S${width}`);
}

/** The group at `groupPath` under `parent`, creating each missing level (h5wasm creates only the last). */
function ensureGroup(parent: Group, groupPath: string): Group {
  let group = parent;
  for (const part of groupPath.split("/").filter((p) => p && p !== ".")) {
    const next = group.get(part);
    group = next instanceof h5wasm.Group ? next : group.create_group(part);
  }
  return group;
}
