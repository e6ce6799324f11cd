import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { readEnv } from "../env.ts";
import { prepareWasmThreads, wasmThreadsCount } from "./wasm-threads.ts";

export const BACKENDS = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Package that registers each backend; tfjs-node and -node-gpu both register "tensorflow". */
const PACKAGES: Record<BackendName, string | null> = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
  wasm: "@tensorflow/tfjs-backend-wasm",
  cpu: null,
};

export interface BackendInfo {
  name: BackendName;
  /** The tfjs backend id now active. */
  tfBackend: string;
  package: string;
  /** Threads the backend computes on (wasm: its XNNPack pool; native TensorFlow: null, its own choice). */
  threads: number | null;
  /** Backends tried before this one, with why each was passed over. */
  skipped: { name: BackendName; reason: string }[];
}

const require = createRequire(import.meta.url);
let active: BackendInfo | null = null;

/**
 * wasm threads: CXRLAB_WASM_THREADS, else 2 where there are 2 cores (this project's target machine).
 * XNNPack splits the convolutions, three quarters of a training step, between them; the JS kernels
 * stay on the main thread. bench/train-step.ts measures 1 thread against 2.
 */
function wasmThreads(): number {
  return Math.min(readEnv().CXRLAB_WASM_THREADS ?? 2, availableParallelism());
}

async function tryBackend(name: BackendName): Promise<void> {
  const pkg = PACKAGES[name];
  if (pkg) require(pkg);
  const id = name === "tensorflow-gpu" ? "tensorflow" : name;
  const threads = name === "wasm" ? wasmThreads() : 1;
  const restore = threads > 1 ? prepareWasmThreads(threads) : null;
  try {
    if (!(await tf.setBackend(id))) throw new Error(`tf.setBackend("${id}") failed`);
    await tf.ready();
  } finally {
    restore?.();
  }
}

/**
 * Activates the fastest backend that loads (GPU TensorFlow, CPU TensorFlow, WebAssembly, pure JS),
 * or exactly `force` when given. Idempotent: later calls return the backend already chosen.
 */
export async function selectBackend(force?: BackendName): Promise<BackendInfo> {
  if (active && (!force || active.name === force)) return active;
  const order = force ? [force] : BACKENDS;
  const skipped: BackendInfo["skipped"] = [];
  for (const name of order) {
    try {
      await tryBackend(name);
      if (name === "wasm") (await import("./wasm-kernels.ts")).registerWasmKernels();
      active = {
        name,
        tfBackend: tf.getBackend(),
        package: PACKAGES[name] ?? "@tensorflow/tfjs",
        threads: name === "wasm" ? wasmThreadsCount() : name === "cpu" ? 1 : null,
        skipped,
      };
      return active;
    } catch (err) {
      const reason = (err as Error).message.split("\n")[0] ?? "failed to load";
      if (force) throw new Error(`backend "${force}" is not available here: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${JSON.stringify(skipped)}`);
}

export function describeBackend(info: BackendInfo): string {
  const threads = info.threads === null ? "" : `, ${info.threads} thread${info.threads === 1 ? "" : "s"}`;
  return `backend: ${info.name} (${info.package}${threads})`;
}
