import * as tf from "@tensorflow/tfjs";
import type { Architecture, HeadConfig } from "../config.ts";

/** Conv blocks per dense block, as in Keras Applications. */
export const DENSE_BLOCKS: Record<Architecture, readonly [number, number, number, number]> = {
  densenet121: [6, 12, 24, 16],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
};

const BN_EPSILON = 1.001e-5;
const GROWTH_RATE = 32;

export interface DenseNetOptions {
  architecture: Architecture;
  imageSize: number;
  numClasses: number;
  head: HeadConfig;
}

/**
 * Keras' `DenseNet{121,169,201}(include_top=False)` with the notebook's classifier head on top,
 * built layer for layer in Keras' order and with Keras' layer names (Keras 2 spelling,
 * `conv1/conv`, which is what the official .h5 weights use), so `model.layers[i]` is the layer
 * Keras calls `model.layers[i]` and `freezeUntil` means the same in both.
 */
export function buildDenseNet(options: DenseNetOptions): tf.LayersModel {
  const { architecture, imageSize, numClasses, head } = options;
  const blocks = DENSE_BLOCKS[architecture];
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: "input_1" });

  let x = tf.layers
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: "zero_padding2d",
    })
    .apply(input);
  x = conv(x, 64, 7, 2, "valid", "conv1/conv");
  x = bn(x, "conv1/bn");
  x = relu(x, "conv1/relu");
  x = tf.layers
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: "zero_padding2d_1",
    })
    .apply(x);
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: "pool1" }).apply(x);

  blocks.forEach((count, i) => {
    const stage = i + 2;
    x = denseBlock(x, count, `conv${stage}`);
    if (stage < 5) x = transitionBlock(x, 0.5, `pool${stage}`);
  });
  x = bn(x, "bn");
  x = relu(x, "relu");

  x = tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }).apply(x);
  head.denseUnits.forEach((units, i) => {
    x = tf.layers.dense({ units, activation: "relu", name: i === 0 ? "dense" : `dense_${i}` }).apply(x);
    x = tf.layers.dropout({ rate: head.dropout, name: i === 0 ? "dropout" : `dropout_${i}` }).apply(x);
  });
  const n = head.denseUnits.length;
  const output = tf.layers
    .dense({ units: numClasses, activation: "softmax", name: n === 0 ? "dense" : `dense_${n}` })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: architecture });
}

type Sym = tf.SymbolicTensor | tf.SymbolicTensor[] | tf.Tensor | tf.Tensor[];
const sym = (x: Sym) => x as tf.SymbolicTensor;

function conv(
  x: Sym,
  filters: number,
  kernel: number,
  strides: number,
  padding: "valid" | "same",
  name: string,
) {
  return sym(
    tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding, useBias: false, name }).apply(sym(x)),
  );
}
function bn(x: Sym, name: string) {
  return sym(tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name }).apply(sym(x)));
}
function relu(x: Sym, name: string) {
  return sym(tf.layers.activation({ activation: "relu", name }).apply(sym(x)));
}

function denseBlock(x: Sym, blocks: number, name: string): tf.SymbolicTensor {
  let out = sym(x);
  for (let i = 1; i <= blocks; i++) out = convBlock(out, `${name}_block${i}`);
  return out;
}

function convBlock(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  let y = bn(x, `${name}_0_bn`);
  y = relu(y, `${name}_0_relu`);
  y = conv(y, 4 * GROWTH_RATE, 1, 1, "valid", `${name}_1_conv`);
  y = bn(y, `${name}_1_bn`);
  y = relu(y, `${name}_1_relu`);
  y = conv(y, GROWTH_RATE, 3, 1, "same", `${name}_2_conv`);
  return sym(tf.layers.concatenate({ axis: 3, name: `${name}_concat` }).apply([x, y]));
}

function transitionBlock(x: tf.SymbolicTensor, reduction: number, name: string): tf.SymbolicTensor {
  const channels = x.shape[3] as number;
  let y = bn(x, `${name}_bn`);
  y = relu(y, `${name}_relu`);
  y = conv(y, Math.floor(channels * reduction), 1, 1, "valid", `${name}_conv`);
  return sym(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }).apply(y));
}

/** Number of layers in the backbone (input to final relu), e.g. 595 for DenseNet169. */
export function backboneLayerCount(architecture: Architecture): number {
  const blocks = DENSE_BLOCKS[architecture];
  const convBlocks = blocks.reduce((a, b) => a + b, 0);
  return 7 + 7 * convBlocks + 4 * (blocks.length - 1) + 2;
}
