import { createHash } from "node:crypto";
import type * as tf from "@tensorflow/tfjs";

/** A weight read out of a layer: shape and a private copy of its values. */
export interface WeightArray {
  shape: number[];
  data: Float32Array;
}

/** One layer call of a functional model, with its weights read out. */
export interface LayerCall {
  /** Id of the symbolic tensor this call produces. */
  id: number;
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Ids of the symbolic tensors it reads, in order. */
  inputs: number[];
  /** Shape of each input, batch first (null batch). */
  inputShapes: (number | null)[][];
  outputShape: (number | null)[];
  /** By the weight's own name (`kernel`, `gamma`, `moving_mean`, ...). */
  weights: Map<string, WeightArray>;
}

/** A single-input single-output functional model as calls in dependency order. */
export interface LayerGraph {
  name: string;
  inputId: number;
  inputShape: (number | null)[];
  outputId: number;
  calls: LayerCall[];
  /** How many calls read each tensor (by id). */
  readers: Map<number, number>;
}

/**
 * Walks `model` backwards from its output through the symbolic tensors' producing calls. That
 * follows the model's own connectivity even for slices made with model/slice.ts, whose layers
 * are shared with (and also connected in) the full model.
 */
export function collectLayerGraph(model: tf.LayersModel): LayerGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(
      `ONNX export: model ${model.name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only one of each is supported`,
    );
  }
  const input = model.inputs[0]!;
  const output = model.outputs[0]!;
  const calls: LayerCall[] = [];
  const readers = new Map<number, number>();
  const seen = new Set<number>([input.id]);
  // Iterative post-order DFS: DenseNet169 is ~600 calls deep through its concatenations.
  const stack: { t: tf.SymbolicTensor; expanded: boolean }[] = [{ t: output, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const t = top.t;
    if (seen.has(t.id) && !top.expanded) continue;
    if (top.expanded) {
      calls.push(readCall(t));
      for (const i of t.inputs) readers.set(i.id, (readers.get(i.id) ?? 0) + 1);
      continue;
    }
    seen.add(t.id);
    if (t.inputs.length === 0) {
      throw new Error(
        `ONNX export: ${t.sourceLayer.name} is an input of ${model.name} other than its declared input`,
      );
    }
    stack.push({ t, expanded: true });
    for (const i of [...t.inputs].reverse()) if (!seen.has(i.id)) stack.push({ t: i, expanded: false });
  }
  return {
    name: model.name,
    inputId: input.id,
    inputShape: input.shape,
    outputId: output.id,
    calls,
    readers,
  };
}

function readCall(t: tf.SymbolicTensor): LayerCall {
  const layer = t.sourceLayer;
  if ((t.outputTensorIndex ?? 0) !== 0) {
    throw new Error(`ONNX export: layer ${layer.name} has several outputs; not supported`);
  }
  const weights = new Map<string, WeightArray>();
  const values = layer.getWeights();
  layer.weights.forEach((w, i) => {
    const key = w.originalName.slice(w.originalName.lastIndexOf("/") + 1);
    weights.set(key, { shape: [...w.shape] as number[], data: Float32Array.from(values[i]!.dataSync()) });
  });
  return {
    id: t.id,
    name: layer.name,
    className: layer.getClassName(),
    config: layer.getConfig() as Record<string, unknown>,
    inputs: t.inputs.map((i) => i.id),
    inputShapes: t.inputs.map((i) => i.shape),
    outputShape: t.shape,
    weights,
  };
}

/**
 * A digest of everything the exported graph depends on: the calls' kinds, configs, wiring and
 * shapes, and every weight value. Tensor ids are replaced by positions, so the same model built
 * twice has the same key.
 */
export function layerGraphKey(graph: LayerGraph, exporterVersion: number): string {
  const position = new Map<number, number>([[graph.inputId, -1]]);
  for (const [i, c] of graph.calls.entries()) position.set(c.id, i);
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ exporterVersion, input: graph.inputShape }));
  for (const c of graph.calls) {
    hash.update(
      JSON.stringify({
        className: c.className,
        config: { ...c.config, name: undefined, trainable: undefined },
        inputs: c.inputs.map((id) => position.get(id)),
        shape: c.outputShape,
        weights: [...c.weights].map(([k, w]) => [k, w.shape]),
      }),
    );
    for (const w of c.weights.values())
      hash.update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
  }
  return hash.digest("hex");
}
