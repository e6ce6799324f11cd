/**
 * What Grad-CAM costs on top of a prediction, on wasm at the reference size (256 px, relu is
 * 8x8x1664): the full model's forward pass, the backbone's forward pass, the head's gradient
 * from given activations (what another engine's activations would cost), and rendering.
 * Run: `node --import tsx bench/gradcam.ts`.
 */
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../packages/core/src/backend/select.ts";
import { gradCam, gradCamFromActivations } from "../packages/core/src/gradcam/compute.ts";
import { heatmapPng, overlayPng } from "../packages/core/src/gradcam/render.ts";
import { splitForGradCam } from "../packages/core/src/gradcam/split.ts";
import { imagenetDenseNet } from "../packages/core/src/gradcam/test-model.ts";

const SIZE = 256;
const BATCH = 4;
const REPS = 3;

async function time(label: string, images: number, run: () => Promise<unknown>): Promise<void> {
  await run(); // warm-up: kernels compiled, weights uploaded
  const start = performance.now();
  for (let i = 0; i < REPS; i++) await run();
  const ms = (performance.now() - start) / REPS / images;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms/img`);
}

const backend = await selectBackend("wasm");
console.log(`backend ${backend.name}, ${SIZE}px, batch ${BATCH}, mean of ${REPS} after a warm-up`);
const model = await imagenetDenseNet(SIZE);
const split = splitForGradCam(model);
const x = tf.randomUniform([BATCH, SIZE, SIZE, 3], -2, 2, "float32", 1) as tf.Tensor4D;
const acts = split.backbone.predict(x) as tf.Tensor4D;

await time("full model forward (a prediction)", BATCH, async () => {
  const y = model.predict(x) as tf.Tensor;
  await y.data();
  y.dispose();
});
await time("backbone forward to relu", BATCH, async () => {
  const a = split.backbone.predict(x) as tf.Tensor;
  await a.data();
  a.dispose();
});
await time("head gradient from activations", BATCH, () =>
  gradCamFromActivations(split.head, acts, "predicted"),
);
await time("gradCam (backbone + head gradient)", BATCH, () => gradCam(split, x, "predicted"));
const [cam] = await gradCam(split, x, 0);
const grey = { data: new Uint8Array(SIZE * SIZE * 3).fill(120), width: SIZE, height: SIZE };
await time("heatmap PNG (RGBA)", 1, () => heatmapPng(cam!, SIZE, SIZE));
await time("overlay PNG", 1, () => overlayPng(cam!, grey, 0.5));
tf.dispose([x, acts]);
model.dispose();
