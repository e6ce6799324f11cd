/**
 * DenseNet169 speed on every TensorFlow.js backend that loads here, and what that means for the
 * reference job's wall time. Run: `node --import tsx bench/backends.ts [--quick]`.
 */
import * as tf from "@tensorflow/tfjs";
import { BACKENDS, type BackendName, selectBackend } from "../packages/core/src/backend/select.ts";
import { buildDenseNet } from "../packages/core/src/model/densenet.ts";
import { freezeLayers } from "../packages/core/src/model/freeze.ts";
import { sliceModelFrom, sliceModelUntil } from "../packages/core/src/model/slice.ts";
import { trainStep } from "../packages/core/src/train/step.ts";

const QUICK = process.argv.includes("--quick");
const IMAGE_SIZE = 256;
/** The notebook's freeze point: layers [0, 369) are frozen, 369 reads pool4 (8x8x640). */
const CUT = 369;
const JOB = { train: 3290, validation: 284, test: 312, epochs: 10, batch: 32, views: 4 };
const TRAINED_PER_EPOCH = Math.floor(JOB.train / JOB.batch) * JOB.batch;

interface Plan {
  warmup: number;
  reps: number;
  forwardBatches: number[];
  suffixBatch: number;
  /** Micro-batch the suffix step runs at; at 32 the step needs more than wasm's 4 GB heap. */
  suffixMicroBatch: number;
  /** Batch of the whole-network steps; null skips them. */
  wholeBatch: number | null;
  note?: string;
}

function planFor(name: BackendName): Plan {
  if (name === "cpu") {
    return {
      warmup: 0,
      reps: 1,
      forwardBatches: [1],
      suffixBatch: 1,
      suffixMicroBatch: 1,
      wholeBatch: null,
      note: "cpu: batch 1 and one run each; no whole-network steps (its Conv2DBackpropFilter alone takes minutes per image)",
    };
  }
  return {
    warmup: 1,
    reps: QUICK ? 1 : 3,
    forwardBatches: [1, 8],
    suffixBatch: 32,
    suffixMicroBatch: 16,
    wholeBatch: 2,
  };
}

/** Median wall time of `run` over `reps` runs after `warmup` unmeasured ones, per image. */
function msPerImage(plan: Plan, images: number, run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < plan.warmup + plan.reps; i++) {
    const start = performance.now();
    run();
    if (i >= plan.warmup) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]! / images;
}

function forward(net: tf.LayersModel, x: tf.Tensor): void {
  tf.tidy(() => (net.apply(x, { training: false }) as tf.Tensor).dataSync());
}

interface Measured {
  /** Forward ms/image by batch size. */
  forward: Map<number, number>;
  prefixForward: number;
  suffixForward: number;
  suffixTrain: number;
  wholeTrain: number | null;
  frozenTrain: number | null;
}

function measure(plan: Plan): Measured {
  const model = buildDenseNet({
    architecture: "densenet169",
    imageSize: IMAGE_SIZE,
    numClasses: 3,
    head: { denseUnits: [512, 64], dropout: 0.3 },
  });
  const prefix = sliceModelUntil(model, CUT);
  const suffix = sliceModelFrom(model, CUT);
  const featureShape = (suffix.inputs[0]!.shape as number[]).slice(1);
  const labels = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 3);
  const train = (net: tf.LayersModel, batch: number, shape: number[], microBatch = batch) => {
    const x = tf.randomUniform([batch, ...shape]);
    const y = labels(batch);
    const optimizer = tf.train.sgd(1e-3);
    const ms = msPerImage(plan, batch, () => trainStep(net, optimizer, x, y, microBatch));
    x.dispose();
    optimizer.dispose();
    return ms;
  };
  const imageShape = [IMAGE_SIZE, IMAGE_SIZE, 3];

  // Whole-network steps first: at batch 2 they use nearly all of wasm's 4 GB heap, which later
  // runs would leave fragmented.
  let wholeTrain: number | null = null;
  let frozenTrain: number | null = null;
  if (plan.wholeBatch !== null) {
    freezeLayers(model, 0);
    wholeTrain = train(model, plan.wholeBatch, imageShape);
    freezeLayers(model, CUT);
    frozenTrain = train(model, plan.wholeBatch, imageShape);
    freezeLayers(model, 0);
  }
  const forwardMs = new Map<number, number>();
  for (const batch of plan.forwardBatches) {
    const x = tf.randomUniform([batch, ...imageShape]);
    forwardMs.set(
      batch,
      msPerImage(plan, batch, () => forward(model, x)),
    );
    x.dispose();
  }
  const largest = Math.max(...plan.forwardBatches);
  const images = tf.randomUniform([largest, ...imageShape]);
  const prefixForward = msPerImage(plan, largest, () => forward(prefix, images));
  images.dispose();
  const features = tf.randomUniform([plan.suffixBatch, ...featureShape]);
  const suffixForward = msPerImage(plan, plan.suffixBatch, () => forward(suffix, features));
  features.dispose();
  const suffixTrain = train(suffix, plan.suffixBatch, featureShape, plan.suffixMicroBatch);
  model.dispose();
  return { forward: forwardMs, prefixForward, suffixForward, suffixTrain, wholeTrain, frozenTrain };
}

/** Projected wall time (ms) of the reference job, or null when a needed figure is missing. */
function project(m: Measured) {
  const fullForward = m.forward.get(Math.max(...m.forward.keys()))!;
  const evaluate = (perImage: number) => (JOB.epochs * JOB.validation + JOB.test) * perImage;
  const cached =
    (JOB.train * JOB.views + JOB.validation + JOB.test) * m.prefixForward +
    JOB.epochs * TRAINED_PER_EPOCH * m.suffixTrain +
    evaluate(m.suffixForward);
  const uncached = (step: number | null) =>
    step === null ? null : JOB.epochs * TRAINED_PER_EPOCH * step + evaluate(fullForward);
  return { cached, uncached: uncached(m.frozenTrain), wholeFineTune: uncached(m.wholeTrain) };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const ms = (v: number | null | undefined) => (v == null ? "-" : v.toFixed(v < 10 ? 2 : 0));
const hours = (v: number | null) => (v === null ? "-" : `${(v / 3_600_000).toFixed(1)} h`);

const results: { name: BackendName; measured: Measured; plan: Plan }[] = [];
for (const name of BACKENDS) {
  try {
    await selectBackend(name);
  } catch (err) {
    console.log(`${name}: not available (${(err as Error).message})`);
    continue;
  }
  const plan = planFor(name);
  const wasmFlags =
    name === "wasm"
      ? `, SIMD ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "on" : "off"}, threads ${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? "on" : "off"}`
      : "";
  console.log(`${name}: measuring (${plan.reps} run(s) after ${plan.warmup} warm-up${wasmFlags})...`);
  const start = performance.now();
  results.push({ name, measured: measure(plan), plan });
  console.log(`${name}: done in ${((performance.now() - start) / 1000).toFixed(0)} s`);
}

console.log(
  `\nDenseNet169 + head (512, 64, 3) at ${IMAGE_SIZE}px, ms per image (median; tfjs ${tf.version.tfjs}, Node ${process.versions.node})\n`,
);
console.log(
  table(
    [
      "backend",
      "forward b1",
      "forward b8",
      `prefix <${CUT} fwd`,
      "suffix fwd",
      "suffix train",
      "whole train b2",
      `freeze ${CUT} train b2`,
    ],
    results.map(({ name, measured: m, plan }) => [
      name,
      ms(m.forward.get(1)),
      ms(m.forward.get(8)),
      `${ms(m.prefixForward)} (b${Math.max(...plan.forwardBatches)})`,
      `${ms(m.suffixForward)} (b${plan.suffixBatch})`,
      `${ms(m.suffixTrain)} (b${plan.suffixBatch}${plan.suffixMicroBatch < plan.suffixBatch ? ` as ${plan.suffixBatch / plan.suffixMicroBatch}x${plan.suffixMicroBatch}` : ""})`,
      ms(m.wholeTrain),
      ms(m.frozenTrain),
    ]),
  ),
);

console.log(
  `\nReference job: ${JOB.train} train (${TRAINED_PER_EPOCH} per epoch in batches of ${JOB.batch}), ` +
    `${JOB.validation} validation, ${JOB.test} test images, ${JOB.epochs} epochs\n`,
);
console.log(
  table(
    ["backend", `cached prefix, freeze ${CUT}`, `uncached, freeze ${CUT}`, "uncached, no freeze"],
    results.map(({ name, measured }) => {
      const p = project(measured);
      return [name, hours(p.cached), hours(p.uncached), hours(p.wholeFineTune)];
    }),
  ),
);
console.log(
  [
    "",
    `cached: prefix forward once per training image per view (${JOB.views} views) and once per validation/test image,`,
    "        suffix training every epoch, suffix forward for validation every epoch and for the test set once.",
    "uncached: whole-network training steps at batch 2 (frozen: forward through the prefix in inference mode,",
    "        forward and backward through the rest), whole-network forward for validation every epoch and test once.",
    ...results.flatMap((r) => (r.plan.note ? [r.plan.note] : [])),
    `peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  ].join("\n"),
);
