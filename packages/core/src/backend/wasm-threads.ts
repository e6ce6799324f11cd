import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Worker as NodeWorker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";

/*
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPack on a pthreadpool) but runs the
 * single-threaded one under Node. Three things stand in the way, each undone here at runtime:
 * 1. its WASM_HAS_MULTITHREAD_SUPPORT flag is false whenever IS_NODE (tfjs issue #3830): set it;
 * 2. Emscripten's pthread workers are created from blob: URLs, which Node's Worker cannot load,
 *    and are handed the module factory as a Blob of a rollup-bundled function that refers to the
 *    bundle's `require$$N` aliases: while the backend starts, the global `Worker` the glue uses is
 *    a worker_threads Worker that evaluates tfjs' own worker script, and the factory reaches it as
 *    a temp file with those aliases defined;
 * 3. the module sizes its pool as emscripten_num_logical_cores() / 2 (it assumes two hyperthreads
 *    per core), so 1 on a 2-core machine: os.cpus() reports twice the wanted count meanwhile.
 * The workers are unref'd: an idle pool thread must not keep the process alive.
 */

const require = createRequire(import.meta.url);
const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";

/** The bundle's module aliases the factory's source refers to (dist/tf-backend-wasm.node.js). */
const FACTORY_PRELUDE =
  'var require$$0 = require("fs"), require$$1 = require("path"), require$$3 = require("perf_hooks"),' +
  ' require$$4 = require("os"), commonjsGlobal = globalThis;';

let factoryFile: Promise<string> | null = null;

/** Writes the factory the main thread posts (as a Blob) to a temp file, once per process. */
function factoryPath(blob: Blob): Promise<string> {
  factoryFile ??= blob.text().then((text) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-wasm-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "factory.js");
    writeFileSync(file, `${FACTORY_PRELUDE} var _scriptDir = ${JSON.stringify(file)};\n${text}`);
    return file;
  });
  return factoryFile;
}

function pthreadWorkerClass(): typeof NodeWorker {
  const { wasmWorkerContents } = require(
    `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`,
  ) as { wasmWorkerContents: string };
  // Its "\n" escapes became newlines inside string literals in the exported template.
  const source = wasmWorkerContents.replace(/\n/g, "\\n");
  return class PthreadWorker extends NodeWorker {
    constructor() {
      // Not the parent's flags: --input-type=module would make the script ESM, --import load tsx 8 times.
      super(source, { eval: true, execArgv: [] });
      this.unref();
    }

    override ref(): void {}

    override postMessage(message: unknown, transfer?: Parameters<NodeWorker["postMessage"]>[1]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown };
      if (m?.cmd === "load" && m.urlOrBlob instanceof Blob) {
        factoryPath(m.urlOrBlob).then(
          (file) => super.postMessage({ ...m, urlOrBlob: file }, transfer),
          (err: unknown) => this.emit("error", err),
        );
        return;
      }
      super.postMessage(message, transfer);
    }
  };
}

/**
 * Makes the next start of the wasm backend use the threaded build with `threads` threads.
 * Call after the package is loaded and before tf.setBackend("wasm"); call the returned function
 * once the backend is ready (or failed) to put the global Worker and os.cpus back.
 */
export function prepareWasmThreads(threads: number): () => void {
  const wasm = require(WASM_PACKAGE) as { setThreadsCount(n: number): void };
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  const Worker = pthreadWorkerClass();
  const hadWorker = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  Object.defineProperty(globalThis, "Worker", { configurable: true, get: () => Worker, set: () => {} });
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]!);
  };
  return () => {
    os.cpus = cpus;
    if (hadWorker) Object.defineProperty(globalThis, "Worker", hadWorker);
    else delete (globalThis as { Worker?: unknown }).Worker;
  };
}

/** Threads the running wasm backend's XNNPack pool has (1 for the single-threaded build). */
export function wasmThreadsCount(): number {
  return (require(WASM_PACKAGE) as { getThreadsCount(): number }).getThreadsCount();
}
