import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type * as Ort from "onnxruntime-node";
import { cacheDir } from "../paths.ts";
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from "../private-files.ts";
import { EXPORTER_VERSION, exportToOnnx } from "./export.ts";
import { collectLayerGraph, layerGraphKey } from "./layer-graph.ts";

type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | null = null;

/** onnxruntime-node, loaded on first use (its native binary may be missing on some platforms). */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ortModule ??= import("onnxruntime-node").catch((err: Error) => {
    ortModule = null;
    throw new Error(`onnxruntime-node does not load here: ${err.message}`);
  });
  return ortModule;
}

export type OnnxProvider = "cuda" | "cpu";

/**
 * The session options every CXR Lab session uses: `threads` intra-op threads on `provider` (CPU
 * as the fallback), one op at a time, every graph optimization.
 */
export function sessionOptions(
  provider: OnnxProvider,
  threads: number,
  spinning: boolean,
): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === "cpu" ? ["cpu"] : [provider, "cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    extra: { session: { intra_op: { allow_spinning: spinning ? "1" : "0" } } },
  };
}

/** E.g. "onnxruntime 1.30.0 cpu, 2 threads" (`what`: provider and precision). */
export function describeSession(ort: OrtModule, what: string, threads: number, spinning: boolean): string {
  const count = `${threads} thread${threads === 1 ? "" : "s"}${spinning ? " (spinning)" : ""}`;
  return `onnxruntime ${ort.env.versions.common} ${what}, ${count}`;
}

export interface OnnxSessionOptions {
  /** Intra-op threads (default: every available core). */
  threads?: number;
  /**
   * Tried in order; the first whose session can be created is used (default: cuda, then cpu, with
   * cuda only tried where an NVIDIA driver is loaded: elsewhere it can only fail, noisily).
   */
  providers?: OnnxProvider[];
  /** Folder for exported .onnx files (default: `<cache>/onnx`). */
  cacheDir?: string;
  /**
   * Let idle intra-op threads spin for work (default false: onnxruntime's spinning takes cores
   * that image decoding, other processes and, on 2 cores, the other op thread itself need).
   */
  spinning?: boolean;
  /**
   * Largest batch given to onnxruntime at once; bigger ones run in chunks of this size (default
   * 4: DenseNet's concatenations outgrow the CPU caches at large batches and get slower per image).
   */
  maxBatch?: number;
  /**
   * Run this .onnx file instead of the model's fp32 export: an int8 export of the same model
   * (see inference/int8.ts), with the same input and output.
   */
  file?: string;
  /** What `file` holds, for describe() (default fp32). */
  precision?: OnnxPrecision;
}

export type OnnxPrecision = "fp32" | "int8";

export interface OnnxModelFile {
  file: string;
  /** Per-example NHWC shapes. */
  inputShape: number[];
  outputShape: number[];
  /** False when the file was already in the cache. */
  exported: boolean;
}

/** Exports kept in the cache (~50 MB each for DenseNet169); the least recently used go first. */
const CACHED_EXPORTS = 8;

/**
 * The model's ONNX file in the cache, exported first if no file for the same topology and
 * weights is there (the name is a digest of both, so a retrained model gets its own file).
 */
export function onnxModelFile(model: tf.LayersModel, dir = path.join(cacheDir(), "onnx")): OnnxModelFile {
  const graph = collectLayerGraph(model);
  const file = path.join(dir, `${layerGraphKey(graph, EXPORTER_VERSION).slice(0, 32)}.onnx`);
  const shapeOf = (s: (number | null)[]) => s.slice(1) as number[];
  const outputShape = shapeOf(graph.calls[graph.calls.length - 1]?.outputShape ?? graph.inputShape);
  if (existsSync(file)) {
    const now = new Date();
    utimesSync(file, now, now);
    return { file, inputShape: shapeOf(graph.inputShape), outputShape, exported: false };
  }
  const exported = exportToOnnx(graph);
  mkdirPrivateSync(dir);
  // Unique partial name, then rename: concurrent runs may export the same model at once.
  const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
  writeFileSync(partial, exported.bytes, { mode: PRIVATE_FILE_MODE });
  renameSync(partial, file);
  evictOldExports(dir, file);
  return { file, inputShape: exported.inputShape, outputShape: exported.outputShape, exported: true };
}

/** Per-example NHWC input and output shapes of a single-input single-output model. */
function modelShapes(model: tf.LayersModel): { inputShape: number[]; outputShape: number[] } {
  return {
    inputShape: model.inputs[0]!.shape.slice(1) as number[],
    outputShape: model.outputs[0]!.shape.slice(1) as number[],
  };
}

function evictOldExports(dir: string, keep: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".onnx"))
    .map((f) => path.join(dir, f))
    .filter((f) => f !== keep)
    .map((f) => ({ f, used: statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.used - a.used);
  for (const { f } of files.slice(CACHED_EXPORTS - 1)) rmSync(f, { force: true });
}

function defaultProviders(): OnnxProvider[] {
  const nvidia = process.platform === "win32" || existsSync("/proc/driver/nvidia/version");
  return nvidia ? ["cuda", "cpu"] : ["cpu"];
}

/** A forward pass of an exported model on onnxruntime. */
export class OnnxSession {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly model: OnnxModelFile,
    readonly provider: OnnxProvider,
    readonly threads: number,
    readonly spinning: boolean,
    readonly maxBatch: number,
    readonly precision: OnnxPrecision,
  ) {}

  static async create(model: tf.LayersModel, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const ort = await loadOnnxRuntime();
    const file = options.file
      ? { file: options.file, ...modelShapes(model), exported: false }
      : onnxModelFile(model, options.cacheDir);
    const precision = options.precision ?? "fp32";
    const threads = options.threads ?? os.availableParallelism();
    const known = new Set(ort.listSupportedBackends().map((b) => b.name));
    const providers = (options.providers ?? defaultProviders()).filter((p) => p === "cpu" || known.has(p));
    const spinning = options.spinning ?? false;
    const failures: string[] = [];
    for (const provider of providers) {
      try {
        const session = await ort.InferenceSession.create(
          file.file,
          sessionOptions(provider, threads, spinning),
        );
        return new OnnxSession(
          ort,
          session,
          file,
          provider,
          threads,
          spinning,
          options.maxBatch ?? 4,
          precision,
        );
      } catch (err) {
        failures.push(`${provider}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no onnxruntime session for ${file.file}: ${failures.join("; ")}`);
  }

  /** E.g. "onnxruntime 1.30.0 cpu, 2 threads" or "onnxruntime 1.30.0 cpu int8, 2 threads". */
  describe(): string {
    const precision = this.precision === "int8" ? " int8" : "";
    return describeSession(this.ort, `${this.provider}${precision}`, this.threads, this.spinning);
  }

  /** Outputs for `batch` NHWC examples laid out back to back in `input`, row-major. */
  async run(input: Float32Array, batch: number): Promise<Float32Array> {
    if (batch <= this.maxBatch) return this.runChunk(input, batch);
    const inSize = input.length / batch;
    const outSize = this.model.outputShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(batch * outSize);
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      const chunk = input.subarray(start * inSize, (start + n) * inSize);
      out.set(await this.runChunk(chunk, n), start * outSize);
    }
    return out;
  }

  private async runChunk(input: Float32Array, batch: number): Promise<Float32Array> {
    const feeds = {
      [this.session.inputNames[0]!]: new this.ort.Tensor("float32", input, [batch, ...this.model.inputShape]),
    };
    const outputs = await this.session.run(feeds);
    return outputs[this.session.outputNames[0]!]!.data as Float32Array;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
