import * as tf from "@tensorflow/tfjs";
import {
  type MissingTensor,
  normalizeLayerName,
  sizeOf,
  splitWeightKey,
  variableShortName,
  type WeightMap,
  type WeightTensor,
} from "./weight-map.ts";

export interface ApplyWeightsOptions {
  /**
   * Layers that keep their initialisation when the file lacks them (the classifier head). They
   * are still loaded when the file has them with the right shapes. Default: `dense`, `dense_N`.
   */
  optionalLayers?: (layerName: string) => boolean;
}

export interface ApplyWeightsSummary {
  source: string;
  layersLoaded: number;
  tensorsLoaded: number;
  paramsLoaded: number;
  /** Optional layers left at their initialisation, with why. */
  layersKept: { layer: string; reason: string }[];
  /** Tensors of the file no layer of the model took (e.g. an ImageNet classifier). */
  unused: string[];
}

export const isHeadLayer = (name: string) => /^dense(_\d+)?$/.test(name);

const fmt = (shape: readonly (number | null)[]) => `[${shape.join(",")}]`;

/**
 * Assigns `weights` to the layers of `model` by layer and weight NAME (never by position, so
 * BatchNormalization's gamma/beta/moving_mean/moving_variance match whatever order the file
 * has), accepting Keras 2 (`conv1/conv`) and Keras 3 (`conv1_conv`) layer names on either side.
 * Every layer with weights that is not optional must be in the file with the same shapes.
 */
export function applyImageNetWeights(
  model: tf.LayersModel,
  weights: WeightMap,
  options: ApplyWeightsOptions = {},
): ApplyWeightsSummary {
  const optional = options.optionalLayers ?? isHeadLayer;
  const lookup = weightLookup(weights);
  const summary: ApplyWeightsSummary = {
    source: weights.source,
    layersLoaded: 0,
    tensorsLoaded: 0,
    paramsLoaded: 0,
    layersKept: [],
    unused: [],
  };
  const used = new Set<string>();
  const assignments: { layer: tf.layers.Layer; values: WeightTensor[] }[] = [];

  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const found = layer.weights.map((v) => lookup(layer.name, variableShortName(layer, v)));
    const problem = layerProblem(layer, found, weights.source);
    if (problem) {
      if (!optional(layer.name)) throw new Error(problem);
      summary.layersKept.push({ layer: layer.name, reason: problem });
      continue;
    }
    const values = found.map((f) => f.tensor!);
    for (const f of found) used.add(f.key!);
    assignments.push({ layer, values });
  }

  for (const { layer, values } of assignments) {
    const tensors = values.map((v) => tf.tensor(v.data, v.shape, "float32"));
    layer.setWeights(tensors);
    tf.dispose(tensors);
    summary.layersLoaded++;
    summary.tensorsLoaded += values.length;
    summary.paramsLoaded += values.reduce((n, v) => n + v.data.length, 0);
  }
  summary.unused = [...weights.keys()].filter((k) => !used.has(k));
  return summary;
}

interface Found {
  short: string;
  key?: string;
  tensor?: WeightTensor;
  missing?: MissingTensor;
}

/** What is wrong with the file's weights for `layer`, or null when they fit. */
function layerProblem(layer: tf.layers.Layer, found: Found[], source: string): string | null {
  const where = `in ${source}`;
  if (found.every((f) => !f.tensor && !f.missing)) {
    const expected = found.map((f, i) => `${f.short} ${fmt(layer.weights[i]!.shape)}`).join(", ");
    return `layer ${layer.name} (expects ${expected}) not found ${where}`;
  }
  for (const [i, f] of found.entries()) {
    const expected = layer.weights[i]!.shape;
    if (f.missing) {
      return `layer ${layer.name}: ${f.missing.name} ${fmt(f.missing.shape)} is listed ${where} but its file ${f.missing.file} is missing`;
    }
    if (!f.tensor) {
      return `layer ${layer.name}: weight ${f.short} (expected shape ${fmt(expected)}) not found ${where}`;
    }
    const shape = f.tensor.shape;
    if (shape.length !== expected.length || shape.some((d, j) => d !== expected[j])) {
      return `layer ${layer.name}: weight ${f.short} has shape ${fmt(shape)} ${where}, the model expects ${fmt(expected)}`;
    }
    if (f.tensor.data.length !== sizeOf(shape)) {
      return `layer ${layer.name}: weight ${f.short} holds ${f.tensor.data.length} values ${where}, its shape needs ${sizeOf(shape)}`;
    }
  }
  return null;
}

/** Finds a layer's weight by exact key, else by the Keras-3-normalised layer name. */
function weightLookup(weights: WeightMap) {
  const byNormal = new Map<string, string>();
  for (const key of weights.keys()) {
    const { layer, weight } = splitWeightKey(key);
    byNormal.set(`${normalizeLayerName(layer)}/${weight}`, key);
  }
  const missingByNormal = new Map<string, MissingTensor>();
  for (const m of weights.missing) {
    const { layer, weight } = splitWeightKey(m.name);
    missingByNormal.set(`${normalizeLayerName(layer)}/${weight}`, m);
  }
  return (layer: string, short: string): Found => {
    const normal = `${normalizeLayerName(layer)}/${short}`;
    const key = weights.has(`${layer}/${short}`) ? `${layer}/${short}` : byNormal.get(normal);
    if (key) return { short, key, tensor: weights.get(key)! };
    return { short, missing: missingByNormal.get(normal) };
  };
}
