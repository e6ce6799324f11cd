import * as tf from "@tensorflow/tfjs";

/**
 * The part of `model` from layer index `from` to the output, as a model of its own whose input
 * is the output of layer `from - 1`. The layers (and so their weights) are shared with `model`.
 * For DenseNet169 with from = 369 the input is pool4's output (8x8x640 at 256px).
 */
export function sliceModelFrom(model: tf.LayersModel, from: number): tf.LayersModel {
  const boundary = model.layers[from - 1];
  if (!boundary || from >= model.layers.length) throw new Error(`cannot slice at layer ${from}`);
  // Node 0 is the layer's place in `model`; earlier slices add nodes, which makes `.output` throw.
  const boundaryOut = boundary.getOutputAt(0) as tf.SymbolicTensor;
  const input = tf.input({
    shape: boundaryOut.shape.slice(1) as number[],
    name: `${boundary.name}_features`,
  });
  const mapped = new Map<string, tf.SymbolicTensor>([[boundary.name, input]]);
  for (const layer of model.layers.slice(from)) {
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const inputs = inbound.map((l) => {
      const t = mapped.get(l.name);
      if (!t) throw new Error(`layer ${layer.name} reads ${l.name}, which is before the cut at ${from}`);
      return t;
    });
    mapped.set(layer.name, layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.SymbolicTensor);
  }
  const last = model.layers[model.layers.length - 1]!;
  return tf.model({ inputs: input, outputs: mapped.get(last.name)!, name: `${model.name}_from_${from}` });
}

/** The part of `model` up to and including layer `to - 1` (the frozen prefix's feature extractor). */
export function sliceModelUntil(model: tf.LayersModel, to: number): tf.LayersModel {
  const last = model.layers[to - 1];
  if (!last) throw new Error(`cannot slice at layer ${to}`);
  return tf.model({
    inputs: model.inputs,
    outputs: last.getOutputAt(0) as tf.SymbolicTensor,
    name: `${model.name}_to_${to}`,
  });
}
