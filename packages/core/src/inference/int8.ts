import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { type ImageRecord, listImageDirectory } from "../data/index.ts";
import { readEnv } from "../env.ts";
import { type Calibration, type CalibrationMethod, calibrateActivations } from "../onnx/calibrate.ts";
import { EXPORTER_VERSION, exportToOnnx } from "../onnx/export.ts";
import { collectLayerGraph, type LayerGraph, layerGraphKey } from "../onnx/layer-graph.ts";
import type { OnnxPrecision } from "../onnx/session.ts";
import { createRng, shuffleInPlace } from "../random.ts";
import { runTrainingFolder } from "../run/training-folder.ts";
import { checkImages, type InputLoader } from "../train/inputs.ts";
import { predictRecords } from "../train/predict.ts";
import type { ProgressListener } from "../train/progress.ts";
import { createForwardEngine, type EngineName, type EngineOptions, type ForwardEngine } from "./engine.ts";
import { loadModelForInference } from "./load.ts";

/** The int8 export, beside the model's model.json. */
export const INT8_MODEL_FILE = "model.int8.onnx";
/** The recorded check that decides whether predict and evaluate use the int8 export. */
export const INT8_CHECK_FILE = "int8-check.json";
/** int8 is used only if, on the check's test folder, accuracy drops by at most this much (0.3 points)... */
export const MAX_ACCURACY_DROP = 0.003;
/** ...and int8 and fp32 predict the same class for at least this fraction of the images. */
export const MIN_AGREEMENT = 0.995;

export type PrecisionRequest = OnnxPrecision | "auto";
export const PRECISIONS = ["auto", "fp32", "int8"] as const;

export interface PrecisionComparison {
  images: number;
  fp32Accuracy: number;
  int8Accuracy: number;
  /** int8 minus fp32 accuracy, as a fraction (0.003 = 0.3 points). */
  accuracyChange: number;
  /** Fraction of images whose predicted class is the same both ways. */
  agreement: number;
  maxProbabilityDifference: number;
}

/** Compares two sets of class probabilities (row-major, `k` per image) against `labels`. */
export function comparePrecisions(
  fp32: Float32Array,
  int8: Float32Array,
  labels: readonly number[],
  k: number,
): PrecisionComparison {
  const n = labels.length;
  if (fp32.length !== n * k || int8.length !== n * k) {
    throw new Error(`expected ${n} x ${k} probabilities, got ${fp32.length} and ${int8.length}`);
  }
  const argmax = (p: Float32Array, i: number) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j]! > p[i * k + best]!) best = j;
    return best;
  };
  let right32 = 0;
  let right8 = 0;
  let agree = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    const [a, b] = [argmax(fp32, i), argmax(int8, i)];
    if (a === labels[i]) right32++;
    if (b === labels[i]) right8++;
    if (a === b) agree++;
    for (let j = i * k; j < (i + 1) * k; j++) maxDiff = Math.max(maxDiff, Math.abs(fp32[j]! - int8[j]!));
  }
  const fp32Accuracy = n ? right32 / n : 0;
  const int8Accuracy = n ? right8 / n : 0;
  return {
    images: n,
    fp32Accuracy,
    int8Accuracy,
    accuracyChange: int8Accuracy - fp32Accuracy,
    agreement: n ? agree / n : 0,
    maxProbabilityDifference: maxDiff,
  };
}

/** Why a comparison fails the check (empty when it passes). */
export function int8CheckFailures(c: PrecisionComparison): string[] {
  const failures: string[] = [];
  if (c.images === 0) failures.push("no test images");
  // A tiny epsilon: 1 of 312 images is 0.32 points, and accuracies are ratios of integers.
  if (c.accuracyChange < -MAX_ACCURACY_DROP - 1e-12) {
    failures.push(
      `accuracy drops ${(-c.accuracyChange * 100).toFixed(2)} points (at most ${MAX_ACCURACY_DROP * 100} allowed)`,
    );
  }
  if (c.agreement < MIN_AGREEMENT) {
    failures.push(
      `int8 agrees with fp32 on ${(c.agreement * 100).toFixed(2)}% of images (at least ${MIN_AGREEMENT * 100}% required)`,
    );
  }
  return failures;
}

export interface Int8Check extends PrecisionComparison {
  format: 1;
  createdAt: string;
  passed: boolean;
  /** Why it failed; empty when it passed. */
  failures: string[];
  limits: { maxAccuracyDrop: number; minAgreement: number };
  /** Digest of the fp32 model's topology and weights: a check holds only for the model it was made on. */
  modelKey: string;
  int8File: string;
  runtime: string;
  calibration: {
    folder: string;
    images: number;
    seed: number;
    method: CalibrationMethod;
    percentile?: number;
  };
  test: { folder: string; skipped: number };
  /** ms per image, fp32 and int8 timed in the same run on the same test images. */
  speed: { batch: number; fp32MsPerImage: number; int8MsPerImage: number; speedup: number }[];
}

/** The fp32 model's digest as recorded in a check. */
export function modelKey(model: tf.LayersModel): string {
  return layerGraphKey(collectLayerGraph(model), EXPORTER_VERSION).slice(0, 32);
}

export function readInt8Check(modelDir: string): Int8Check | null {
  const file = path.join(modelDir, INT8_CHECK_FILE);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Int8Check;
  } catch {
    return null;
  }
}

export interface PrecisionChoice {
  precision: OnnxPrecision;
  /** Engine options that run it (the int8 file for int8). */
  engineOptions: EngineOptions;
  /** Why this precision, e.g. "int8 (check passed: accuracy -0.00 points, agreement 100.00%)". */
  reason: string;
}

/**
 * Which precision predict and evaluate run `model` (saved in `modelDir`) at: fp32 unless asked
 * for, or (auto) unless the model's recorded int8 check passed for these very weights and its
 * int8 file is there. int8 needs onnxruntime, so the tfjs engine is always fp32.
 */
export function choosePrecision(
  model: tf.LayersModel,
  modelDir: string,
  requested: PrecisionRequest = "auto",
  engine?: EngineName,
): PrecisionChoice {
  const fp32 = (reason: string): PrecisionChoice => ({ precision: "fp32", engineOptions: {}, reason });
  if (requested === "fp32") return fp32("fp32 (asked for)");
  const onTfjs = (engine ?? readEnv().CXRLAB_ENGINE) === "tfjs";
  const file = path.join(modelDir, INT8_MODEL_FILE);
  const int8 = (reason: string): PrecisionChoice => ({
    precision: "int8",
    engineOptions: { engine: "onnx", file, precision: "int8" },
    reason,
  });
  if (requested === "int8") {
    if (onTfjs) throw new Error("int8 runs on onnxruntime only, not on the tfjs engine");
    if (!existsSync(file)) throw new Error(`no int8 model in ${modelDir}: run cxrlab model quantize first`);
    const check = readInt8Check(modelDir);
    if (check && check.modelKey !== modelKey(model)) {
      throw new Error(
        `${file} was made from other weights than ${modelDir}: run cxrlab model quantize again`,
      );
    }
    return int8(`int8 (asked for; check ${check ? (check.passed ? "passed" : "failed") : "not recorded"})`);
  }
  if (onTfjs) return fp32("fp32 (tfjs engine)");
  const check = readInt8Check(modelDir);
  if (!check) return fp32("fp32 (no int8 check recorded)");
  if (!check.passed) return fp32(`fp32 (int8 check failed: ${check.failures.join("; ")})`);
  if (!existsSync(file)) return fp32(`fp32 (${INT8_MODEL_FILE} missing)`);
  if (check.modelKey !== modelKey(model)) return fp32("fp32 (int8 check was made on other weights)");
  return int8(
    `int8 (check passed: accuracy ${(check.accuracyChange * 100).toFixed(2)} points, agreement ${(check.agreement * 100).toFixed(2)}%)`,
  );
}

/** `count` records spread evenly over the classes, picked by a seeded shuffle. */
export function pickCalibrationImages(records: ImageRecord[], count: number, seed: number): ImageRecord[] {
  const byClass = new Map<number, ImageRecord[]>();
  for (const r of shuffleInPlace([...records], createRng(seed))) {
    byClass.set(r.label, [...(byClass.get(r.label) ?? []), r]);
  }
  const lists = [...byClass.keys()].sort((a, b) => a - b).map((k) => byClass.get(k)!);
  const picked: ImageRecord[] = [];
  for (let i = 0; picked.length < Math.min(count, records.length); i++) {
    for (const list of lists) if (i < list.length && picked.length < count) picked.push(list[i]!);
  }
  return picked;
}

export interface QuantizeOptions {
  /** Run folder or model folder. */
  model: string;
  /** Labelled folder the calibration images come from (default: the run's training folder). */
  calibration?: string;
  /** Calibration images (default 48). */
  images?: number;
  /** How activation ranges come from the calibration images (default percentile). */
  method?: CalibrationMethod;
  /** Labelled test folder the check evaluates fp32 and int8 on. */
  test: string;
  batchSize?: number;
  skipBad?: boolean;
  seed?: number;
  /** Intra-op threads (default: every core). */
  threads?: number;
  onProgress?: ProgressListener;
  /** Progress lines ("calibrating on 48 images ..."). */
  log?: (line: string) => void;
}

export interface QuantizeResult {
  modelDir: string;
  int8File: string;
  checkFile: string;
  check: Int8Check;
}

/**
 * Calibrates an int8 export of a saved model on training images, writes it beside the model,
 * evaluates fp32 and int8 on `test` and records the check (which predict and evaluate follow).
 */
export async function quantizeModel(options: QuantizeOptions): Promise<QuantizeResult> {
  const log = options.log ?? (() => {});
  const { model, meta, loader, modelDir } = await loadModelForInference(options.model);
  try {
    const calibrationDir = options.calibration ?? runTrainingFolder(modelDir);
    if (!calibrationDir) {
      throw new Error(
        `${modelDir} has no run inputs.json naming its training folder: give --calibration DIR`,
      );
    }
    const seed = options.seed ?? 1;
    const listed = await listImageDirectory(calibrationDir, { classNames: meta.classNames });
    const calibrationRecords = pickCalibrationImages(listed.records, options.images ?? 48, seed);
    const threads = options.threads;
    log(`calibrating on ${calibrationRecords.length} images of ${calibrationDir}`);
    const graph = collectLayerGraph(model);
    const int8File = path.join(modelDir, INT8_MODEL_FILE);
    const calibration = await writeInt8Model(graph, loader, calibrationRecords, int8File, {
      ...(threads ? { threads } : {}),
      ...(options.method ? { method: options.method } : {}),
    });

    log(`evaluating fp32 and int8 on ${options.test}`);
    const test = await listImageDirectory(options.test, { classNames: meta.classNames });
    const checked = await checkImages(test.records, loader, { skipBad: options.skipBad ?? false });
    const base = { engine: "onnx" as const, ...(threads ? { threads } : {}) };
    const fp32 = await createForwardEngine(model, base);
    const int8 = await createForwardEngine(model, { ...base, file: int8File, precision: "int8" });
    try {
      const run = (engine: ForwardEngine) =>
        predictRecords(engine, checked.good, loader, {
          batchSize: options.batchSize ?? 8,
          phase: "test",
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
      const probs32 = await run(fp32);
      const probs8 = await run(int8);
      const comparison = comparePrecisions(
        probs32,
        probs8,
        checked.good.map((r) => r.label),
        meta.classNames.length,
      );
      log("timing fp32 and int8 forward passes");
      const speed = await timePrecisions(fp32, int8, loader, checked.good);
      const failures = int8CheckFailures(comparison);
      const check: Int8Check = {
        format: 1,
        createdAt: new Date().toISOString(),
        passed: failures.length === 0,
        failures,
        limits: { maxAccuracyDrop: MAX_ACCURACY_DROP, minAgreement: MIN_AGREEMENT },
        ...comparison,
        modelKey: layerGraphKey(graph, EXPORTER_VERSION).slice(0, 32),
        int8File: INT8_MODEL_FILE,
        runtime: int8.description,
        calibration: {
          folder: calibrationDir,
          images: calibration.images,
          seed,
          method: calibration.method,
          ...(calibration.percentile !== undefined ? { percentile: calibration.percentile } : {}),
        },
        test: { folder: options.test, skipped: checked.bad.length },
        speed,
      };
      const checkFile = path.join(modelDir, INT8_CHECK_FILE);
      writeFileSync(checkFile, `${JSON.stringify(check, null, 2)}\n`);
      return { modelDir, int8File, checkFile, check };
    } finally {
      await fp32.dispose();
      await int8.dispose();
    }
  } finally {
    model.dispose();
  }
}

/**
 * Calibrates `model` on `records` (decoded by `loader` as for prediction) and writes its int8
 * export to `file`; returns the calibration.
 */
export async function writeInt8Model(
  model: tf.LayersModel | LayerGraph,
  loader: InputLoader,
  records: ImageRecord[],
  file: string,
  options: { threads?: number; method?: CalibrationMethod } = {},
): Promise<Calibration> {
  const graph = "calls" in model ? model : collectLayerGraph(model);
  const calibration = await calibrateActivations(graph, tensorBatches(loader, records, 4), options);
  const exported = exportToOnnx(graph, { precision: "int8", ranges: calibration.ranges });
  writeFileSync(`${file}.partial`, exported.bytes);
  renameSync(`${file}.partial`, file);
  return calibration;
}

async function* tensorBatches(
  loader: InputLoader,
  records: ImageRecord[],
  batchSize: number,
): AsyncGenerator<{ x: Float32Array; batch: number }> {
  for await (const { x, count } of loader.batches(records, batchSize)) {
    try {
      yield { x: (await x.data()) as Float32Array, batch: count };
    } finally {
      x.dispose();
    }
  }
}

/** fp32 and int8 ms/image at batch 1 and (up to) 32 on the same decoded test images, alternating. */
async function timePrecisions(
  fp32: ForwardEngine,
  int8: ForwardEngine,
  loader: InputLoader,
  records: ImageRecord[],
): Promise<Int8Check["speed"]> {
  const rows: Int8Check["speed"] = [];
  for (const batch of [1, Math.min(32, records.length)]) {
    if (batch === 0 || (batch === 1 && rows.length > 0)) continue;
    const iterator = loader.batches(records.slice(0, batch), batch);
    const { value } = await iterator.next();
    await iterator.return(undefined);
    if (!value) continue;
    const reps = batch === 1 ? 5 : 2;
    const ms = { fp32: 0, int8: 0 };
    try {
      for (const engine of [fp32, int8]) await engine.run(value.x); // warm-up
      for (let r = 0; r < reps; r++) {
        for (const [name, engine] of [
          ["fp32", fp32],
          ["int8", int8],
        ] as const) {
          const t0 = performance.now();
          await engine.run(value.x);
          ms[name] += (performance.now() - t0) / reps / batch;
        }
      }
    } finally {
      value.x.dispose();
    }
    rows.push({ batch, fp32MsPerImage: ms.fp32, int8MsPerImage: ms.int8, speedup: ms.fp32 / ms.int8 });
  }
  return rows;
}
