import * as tf from "@tensorflow/tfjs";

/** The DenseNet layer Grad-CAM reads: the last ReLU of the backbone (Keras' name). */
export const GRADCAM_LAYER = "relu";

/**
 * The classifier head above the Grad-CAM layer, as a function of that layer's activations. Only
 * this part is differentiated, so the activations may come from any forward engine.
 */
export interface GradCamHead {
  /** Name of the layer whose output the head reads. */
  readonly layerName: string;
  /** Shape of one image's activations at that layer, [H', W', C]. */
  readonly activationShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Class scores before the classifier's activation (softmax): the final Dense's x·W + b. */
  logits(activations: tf.Tensor4D): tf.Tensor2D;
  /** The model's own output (after softmax) for the same activations. */
  probabilities(activations: tf.Tensor4D): tf.Tensor2D;
}

export interface GradCamModel {
  /**
   * Input image -> activations of the Grad-CAM layer. It shares its layers (and weights) with
   * the full model: dispose the full model, not this.
   */
  readonly backbone: tf.LayersModel;
  readonly head: GradCamHead;
}

/**
 * Splits `model` at `layerName` into backbone and head. The head must be a chain of single-input
 * layers ending in a Dense classifier (as buildDenseNet makes: GAP, Dense, Dropout, …, Dense).
 */
export function splitForGradCam(model: tf.LayersModel, layerName = GRADCAM_LAYER): GradCamModel {
  const at = model.layers.findIndex((l) => l.name === layerName);
  if (at < 0) {
    throw new Error(`model "${model.name}" has no layer named "${layerName}" to compute Grad-CAM at`);
  }
  const layer = model.layers[at]!;
  const output = layer.getOutputAt(0) as tf.SymbolicTensor;
  const [, h, w, c] = output.shape;
  if (output.shape.length !== 4 || !h || !w || !c) {
    throw new Error(
      `layer "${layerName}" outputs ${JSON.stringify(output.shape)}; Grad-CAM needs a feature map [batch, H, W, C]`,
    );
  }
  const above = model.layers.slice(at + 1);
  above.forEach((l, i) => {
    const inbound = l.inboundNodes[0]?.inboundLayers ?? [];
    const expected = i === 0 ? layer : above[i - 1]!;
    if (inbound.length !== 1 || inbound[0] !== expected) {
      throw new Error(
        `layer "${l.name}" does not read only "${expected.name}": Grad-CAM needs a chain of layers above "${layerName}"`,
      );
    }
  });
  const classifier = above[above.length - 1];
  if (classifier?.getClassName() !== "Dense") {
    throw new Error(
      `the last layer above "${layerName}" is ${classifier?.name ?? "missing"}, not a Dense classifier`,
    );
  }
  const hidden = above.slice(0, -1);
  // Dense holds [kernel, bias?]; variable names get suffixes when layer names repeat.
  const kernel = classifier.weights.find((v) => v.shape.length === 2);
  if (!kernel) throw new Error(`classifier "${classifier.name}" has no kernel`);
  const bias = classifier.weights.find((v) => v.shape.length === 1);

  // Inference mode: dropout is the identity and BatchNormalization uses its moving statistics,
  // so each image's scores depend on its own activations only.
  const features = (a: tf.Tensor4D) =>
    hidden.reduce<tf.Tensor>((x, l) => l.apply(x, { training: false }) as tf.Tensor, a) as tf.Tensor2D;
  return {
    backbone: tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_to_${layerName}` }),
    head: {
      layerName,
      activationShape: [h, w, c],
      numClasses: kernel.shape[1]!,
      logits: (a) => {
        const z: tf.Tensor2D = tf.matMul(features(a), kernel.read() as tf.Tensor2D);
        return bias ? tf.add(z, bias.read()) : z;
      },
      probabilities: (a) => classifier.apply(features(a), { training: false }) as tf.Tensor2D,
    },
  };
}
