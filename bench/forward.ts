/**
 * Forward speed of DenseNet169 + the reference head at 256px on tfjs (active backend) vs
 * onnxruntime (one thread vs every core; fp32 and int8 side by side), the frozen-prefix cache build (decode included), and how
 * busy the cores are meanwhile. Run: `node --import tsx bench/forward.ts [--quick]`.
 * The measuring functions are exported for a combined bench entry.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, selectBackend } from "../packages/core/src/backend/select.ts";
import { type ImageRecord, listImageDirectory } from "../packages/core/src/data/index.ts";
import { createForwardEngine, type ForwardEngine } from "../packages/core/src/inference/engine.ts";
import { pickCalibrationImages, writeInt8Model } from "../packages/core/src/inference/int8.ts";
import { buildDenseNet } from "../packages/core/src/model/densenet.ts";
import { seededInitialize } from "../packages/core/src/model/init.ts";
import { sliceModelUntil } from "../packages/core/src/model/slice.ts";
import { OnnxSession, onnxModelFile } from "../packages/core/src/onnx/session.ts";
import { sharedPaths } from "../packages/core/src/paths.ts";
import { resolveConfig } from "../packages/core/src/presets.ts";
import { createRng } from "../packages/core/src/random.ts";
import { computeFeatures } from "../packages/core/src/train/features.ts";
import { createInputLoader, type InputLoader } from "../packages/core/src/train/inputs.ts";
import { applyImageNetWeights, loadWeightSource } from "../packages/core/src/weights/index.ts";
import { type Measurement, measure } from "./measure.ts";

/** The notebook's freeze point: layers [0, 369) are frozen; 368 is pool4 (8x8x640 at 256px). */
export const CUT = 369;

/** Forward ms/image of `engine` on a random NHWC batch. */
export async function measureForward(
  engine: ForwardEngine,
  batch: number,
  imageShape: number[],
  options?: { warmup?: number; reps?: number },
): Promise<Measurement> {
  const x = tf.randomUniform([batch, ...imageShape]);
  try {
    return await measure(batch, async () => void (await engine.run(x)), options);
  } finally {
    x.dispose();
  }
}

/** Building the frozen-prefix cache for `records` (decode, resize, normalise, prefix), ms/image. */
export async function measurePrefixCache(
  prefix: ForwardEngine,
  records: ImageRecord[],
  loader: InputLoader,
  batchSize: number,
): Promise<Measurement> {
  const options = { views: 1, augment: false, rng: createRng(1), batchSize };
  return measure(records.length, async () => void (await computeFeatures(prefix, records, loader, options)), {
    warmup: 0,
    reps: 1,
  });
}

interface Row {
  what: string;
  engine: string;
  batch: number;
  result: Measurement;
}

/** Exporting `model` to a fresh cache (digest included), then opening a session on the cached file, in ms. */
export async function measureExport(model: tf.LayersModel): Promise<{ exportMs: number; sessionMs: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-bench-onnx-"));
  try {
    let t0 = performance.now();
    onnxModelFile(model, dir);
    const exportMs = performance.now() - t0;
    t0 = performance.now();
    const session = await OnnxSession.create(model, { cacheDir: dir });
    const sessionMs = performance.now() - t0;
    await session.release();
    return { exportMs, sessionMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runForwardBench({ quick = false } = {}): Promise<Row[]> {
  const backend = await selectBackend();
  const config = resolveConfig("reference");
  const size = config.preprocessing.imageSize;
  const imageShape = [size, size, 3];
  const model = buildDenseNet({
    architecture: "densenet169",
    imageSize: size,
    numClasses: 3,
    head: config.head,
  });
  // A seeded head: the same model every run, so its ONNX export is reused from the cache.
  seededInitialize(model, createRng(1));
  applyImageNetWeights(model, await loadWeightSource(sharedPaths.imagenetWeights()));
  const prefix = sliceModelUntil(model, CUT);
  const cores = os.availableParallelism();
  console.log(
    `${describeBackend(backend)}; ${cores} cores; DenseNet169 + head ${JSON.stringify(config.head.denseUnits)} at ${size}px`,
  );

  const { exportMs, sessionMs } = await measureExport(model);
  console.log(
    `  ONNX export (weights read, digest, BN folding, encoding): ${exportMs.toFixed(0)} ms; session from the cached file (digest included): ${sessionMs.toFixed(0)} ms`,
  );
  const rows: Row[] = [];
  const record = (what: string, engine: ForwardEngine, batch: number, result: Measurement) => {
    rows.push({ what, engine: engine.description, batch, result });
    console.log(
      `  ${what} ${engine.description} b${batch}: ${result.msPerImage.toFixed(1)} ms/image, cpu ${(result.cpu * 100).toFixed(0)}%`,
    );
  };
  const reps = (batch: number, slow: boolean) =>
    batch === 1
      ? { warmup: 1, reps: quick ? 3 : 5 }
      : { warmup: slow || quick ? 0 : 1, reps: slow || quick ? 1 : 2 };

  // int8 (issue 16): calibrated on 16 sample X-rays, timed right after fp32 on the same inputs.
  const sample = await listImageDirectory(sharedPaths.sample());
  const loader = createInputLoader({
    preprocessing: config.preprocessing,
    augmentation: config.augmentation,
  });
  const int8Dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-bench-int8-"));
  const int8File = path.join(int8Dir, "model.int8.onnx");
  const t0 = performance.now();
  await writeInt8Model(model, loader, pickCalibrationImages(sample.records, 16, 1), int8File);
  console.log(`  int8 calibration (16 images) and export: ${(performance.now() - t0).toFixed(0)} ms`);
  const int8 = (threads: number) =>
    createForwardEngine(model, { engine: "onnx", threads, file: int8File, precision: "int8" });

  const engines: [string, ForwardEngine][] = [
    ["", await createForwardEngine(model, { engine: "tfjs" })],
    ["", await createForwardEngine(model, { engine: "onnx", threads: 1 })],
    ["", await int8(1)],
    ["", await createForwardEngine(model, { engine: "onnx", threads: cores })],
    ["", await int8(cores)],
    ["", await createForwardEngine(model, { engine: "onnx", threads: cores, spinning: true })],
    [" unchunked", await createForwardEngine(model, { engine: "onnx", threads: cores, maxBatch: 32 })],
  ];
  for (const [label, engine] of engines) {
    for (const batch of label ? [32] : [1, 32]) {
      const result = await measureForward(engine, batch, imageShape, reps(batch, engine.name === "tfjs"));
      record(`forward${label}`, engine, batch, result);
    }
    await engine.dispose();
  }
  rmSync(int8Dir, { recursive: true, force: true });

  const prefixOnnx = await createForwardEngine(prefix, { engine: "onnx" });
  for (const batch of [8, 32]) {
    const records = sample.records.slice(0, quick ? 32 : 96);
    record("prefix cache", prefixOnnx, batch, await measurePrefixCache(prefixOnnx, records, loader, batch));
  }
  await prefixOnnx.dispose();
  const prefixTfjs = await createForwardEngine(prefix, { engine: "tfjs" });
  record(
    "prefix cache",
    prefixTfjs,
    8,
    await measurePrefixCache(prefixTfjs, sample.records.slice(0, 16), loader, 8),
  );
  model.dispose();
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runForwardBench({ quick: process.argv.includes("--quick") });
  const width = Math.max(...rows.map((r) => `${r.what} ${r.engine}`.length));
  console.log(`\n${"what / engine".padEnd(width)}  batch  ms/image  images/s  cpu (1 = all cores)`);
  for (const r of rows) {
    console.log(
      `${`${r.what} ${r.engine}`.padEnd(width)}  ${String(r.batch).padStart(5)}  ${r.result.msPerImage.toFixed(1).padStart(8)}  ${(1000 / r.result.msPerImage).toFixed(1).padStart(8)}  ${r.result.cpu.toFixed(2).padStart(4)}`,
    );
  }
}
