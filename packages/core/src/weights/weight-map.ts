import type * as tf from "@tensorflow/tfjs";

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** A tensor the source lists but cannot supply (e.g. its shard file was dropped). */
export interface MissingTensor {
  name: string;
  shape: number[];
  /** The file that should hold it. */
  file: string;
}

/**
 * Weights keyed "layerName/weightName" (`conv1/conv/kernel`, `conv1/bn/moving_mean`), in the
 * spelling of the file they came from, with where they came from and what the file lacks.
 */
export class WeightMap extends Map<string, WeightTensor> {
  readonly source: string;
  readonly missing: MissingTensor[];

  constructor(source: string, missing: MissingTensor[] = []) {
    super();
    this.source = source;
    this.missing = missing;
  }
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Splits "conv1/conv/kernel" into layer "conv1/conv" and weight "kernel". */
export function splitWeightKey(key: string): { layer: string; weight: string } {
  const cut = key.lastIndexOf("/");
  if (cut <= 0) throw new Error(`weight name "${key}" has no layer part (expected "layer/weight")`);
  return { layer: key.slice(0, cut), weight: key.slice(cut + 1) };
}

/** Keras 3 spells Keras 2's `conv1/conv` as `conv1_conv`; both map to the Keras 3 form. */
export const normalizeLayerName = (name: string) => name.replaceAll("/", "_");

/**
 * The short name ("kernel", "moving_mean") of a layer's variable. tfjs scopes a variable's
 * `originalName` under the layer name (plus any enclosing name scope) and makes its `name` unique
 * per process by appending `_1`, `_2`... so only the part after "<layer name>/" of `originalName`
 * is reliable.
 */
export function variableShortName(layer: tf.layers.Layer, variable: tf.LayerVariable): string {
  const scoped = variable.originalName;
  const at = scoped.lastIndexOf(`${layer.name}/`);
  return at >= 0 ? scoped.slice(at + layer.name.length + 1) : scoped.slice(scoped.lastIndexOf("/") + 1);
}

/** Every variable of `model` as a WeightMap keyed by layer name and short name. */
export async function weightMapFromModel(model: tf.LayersModel, source = `model ${model.name}`) {
  const map = new WeightMap(source);
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      const data = (await variable.read().data()) as Float32Array;
      map.set(`${layer.name}/${variableShortName(layer, variable)}`, {
        shape: [...variable.shape] as number[],
        data,
      });
    }
  }
  return map;
}
