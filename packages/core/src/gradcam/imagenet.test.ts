import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { expectClose } from "../data/test-helpers.ts";
import { sliceModelFrom } from "../model/slice.ts";
import { createInputLoader } from "../train/inputs.ts";
import { type GradCam, gradCam } from "./compute.ts";
import { heatmapPng, overlayPngForFile } from "./render.ts";
import { type GradCamModel, splitForGradCam } from "./split.ts";
import { imagenetDenseNet, sampleXrays, testConfig } from "./test-model.ts";

/** Real X-rays (one per class) through DenseNet169 with ImageNet weights, at 128 px: relu is 4x4x1664. */
const SIZE = 128;
const files = sampleXrays(1);
let model: tf.LayersModel;
let split: GradCamModel;
let x: tf.Tensor4D;
/** cams[c][i]: image i explained for class c. */
let cams: GradCam[][];

describe("Grad-CAM on DenseNet169 with ImageNet weights and real X-rays", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
    model = await imagenetDenseNet(SIZE);
    split = splitForGradCam(model);
    const config = testConfig(SIZE);
    const loader = createInputLoader({
      preprocessing: config.preprocessing,
      augmentation: config.augmentation,
    });
    const pixels = await Promise.all(files.map((path) => loader.load({ path, label: -1, className: "" })));
    x = tf.tensor4d(Float32Array.from(pixels.flatMap((p) => Array.from(p))), [files.length, SIZE, SIZE, 3]);
    cams = await Promise.all([0, 1, 2].map((c) => gradCam(split, x, c)));
  });
  afterAll(() => {
    x?.dispose();
    model?.dispose();
  });

  it("gives each class its own map for the same image", () => {
    // w^c_k = (1/Z) sum_ij d z_c / d A_ijk = J^T W[:, c] / Z, with J the Jacobian of the last hidden
    // layer w.r.t. the pooled features, shared by all classes: different columns of the
    // classifier's kernel give different channel weights and so a different sum over channels.
    for (let i = 0; i < files.length; i++) {
      const [a, b, c] = cams.map((perClass) => perClass[i]!);
      for (const [p, q] of [
        [a!, b!],
        [a!, c!],
        [b!, c!],
      ] as const) {
        expect(correlation(p.channelWeights, q.channelWeights), files[i]).toBeLessThan(0.5);
        expect(meanAbsDifference(p.heatmap, q.heatmap), files[i]).toBeGreaterThan(0.15);
      }
    }
  });

  it("is computed from the output of the layer named relu, with the logit's gradient", async () => {
    const relu = model.getLayer("relu");
    expect(split.head.activationShape).toEqual(relu.outputShape.slice(1));
    expect(split.head.activationShape).toEqual([SIZE / 32, SIZE / 32, 1664]);
    // An independent route: the unmodified model with relu's output as a second output, and its
    // layers above relu (sliced by model/slice.ts) ending in the real softmax.
    const twoOutputs = tf.model({
      inputs: model.inputs,
      outputs: [relu.output as tf.SymbolicTensor, model.outputs[0]!],
    });
    const [acts, probs] = twoOutputs.predict(x) as tf.Tensor[];
    const top = sliceModelFrom(model, model.layers.indexOf(relu) + 1);
    // log p_0 - log p_1 = z_0 - z_1 under softmax, so its gradient is w^0 - w^1 if (and only if)
    // the weights are gradients of the pre-softmax logits.
    const logRatioGrad = tf.tidy(() =>
      tf.mean(
        tf.grad((a) => {
          const logp = tf.log(top.predict(a) as tf.Tensor2D);
          return tf.sum(tf.sub(logp.slice([0, 0], [-1, 1]), logp.slice([0, 1], [-1, 1])));
        })(acts as tf.Tensor4D),
        [1, 2],
      ),
    );
    const ratio = logRatioGrad.arraySync() as number[][];
    const A = acts!.arraySync() as number[][][][];
    const p = probs!.arraySync() as number[][];
    for (let i = 0; i < files.length; i++) {
      const [c0, c1] = [cams[0]![i]!, cams[1]![i]!];
      const difference = c0.channelWeights.map((w, k) => w - c1.channelWeights[k]!);
      // Relative to the largest weight: the gradients are small numbers.
      const scale = maxAbs(ratio[i]!);
      expectClose(
        difference.map((v) => v / scale),
        ratio[i]!.map((v) => v / scale),
        3,
      );
      expectClose(c0.probabilities, p[i]!, 5);
      // The map by hand from relu's activations: ReLU(sum_k w_k A_k), scaled to peak 1.
      const cam = A[i]!.flatMap((row) =>
        row.map((channels) =>
          Math.max(
            0,
            channels.reduce((s, a, k) => s + a * c0.channelWeights[k]!, 0),
          ),
        ),
      );
      const peak = Math.max(...cam);
      expect(peak).toBeGreaterThan(0);
      expectClose(
        c0.heatmap,
        cam.map((v) => v / peak),
        4,
      );
    }
    tf.dispose([acts!, probs!, logRatioGrad]);
  });

  it("explains each image's top class when asked for the predicted one", async () => {
    const predicted = await gradCam(split, x, "predicted");
    const probs = model.predict(x) as tf.Tensor2D;
    expect(predicted.map((c) => c.classIndex)).toEqual(Array.from(probs.argMax(1).dataSync()));
    predicted.forEach((c, i) => {
      expect(c.heatmap).toEqual(cams[c.classIndex]![i]!.heatmap);
    });
    probs.dispose();
  });

  it("renders a transparent heatmap PNG and an overlay at the requested size", async () => {
    const cam = cams[0]![0]!;
    const heat = await sharp(await heatmapPng(cam, SIZE, SIZE))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(heat.info).toMatchObject({ width: SIZE, height: SIZE, channels: 4 });
    const alpha = Array.from({ length: SIZE * SIZE }, (_, i) => heat.data[i * 4 + 3]!);
    expect(Math.max(...alpha)).toBeGreaterThan(240);
    expect(new Set(alpha).size).toBeGreaterThan(50);

    const overlay = await sharp(await overlayPngForFile(cam, files[0]!, { size: 200, opacity: 0.6 }))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(overlay.info).toMatchObject({ width: 200, height: 200, channels: 3 });
    // The X-ray is grey; the heatmap's colour shows where the map is hot.
    const colourful = Array.from({ length: 200 * 200 }, (_, i) => {
      const [r, g, b] = [overlay.data[i * 3]!, overlay.data[i * 3 + 1]!, overlay.data[i * 3 + 2]!];
      return Math.max(r, g, b) - Math.min(r, g, b) > 30;
    }).filter(Boolean).length;
    expect(colourful).toBeGreaterThan(200 * 200 * 0.05);
  });
});

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, t) => s + t, 0) / n;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

function meanAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, t) => Math.max(m, Math.abs(t)), 0);
