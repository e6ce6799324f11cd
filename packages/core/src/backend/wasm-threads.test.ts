import { execFile } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../paths.ts";
import { createRng } from "../random.ts";
import { selectBackend } from "./select.ts";

const SELECT = path.join(REPO_ROOT, "packages/core/src/backend/select.ts");

/** Starts the wasm backend in a fresh process with CXRLAB_WASM_THREADS=threads; prints its thread count. */
async function startInChild(threads: number): Promise<string> {
  const script = `
    import * as tf from "@tensorflow/tfjs";
    const { selectBackend } = await import(${JSON.stringify(SELECT)});
    const info = await selectBackend("wasm");
    const y = tf.matMul(tf.ones([256, 128]), tf.ones([128, 64]));
    console.log(info.threads, y.dataSync()[0]);`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { cwd: REPO_ROOT, env: { ...process.env, CXRLAB_WASM_THREADS: String(threads) }, timeout: 60_000 },
  );
  return stdout.trim();
}

describe("wasm threads", () => {
  const before = process.env.CXRLAB_WASM_THREADS;
  beforeAll(() => {
    process.env.CXRLAB_WASM_THREADS = "2";
  });
  afterAll(() => {
    if (before === undefined) delete process.env.CXRLAB_WASM_THREADS;
    else process.env.CXRLAB_WASM_THREADS = before;
  });

  it("runs the threaded build with 2 threads under Node, then puts os.cpus and the global Worker back", async () => {
    const cores = os.cpus().length;
    const info = await selectBackend("wasm");
    expect(info.threads).toBe(Math.min(2, os.availableParallelism()));
    expect(os.cpus().length).toBe(cores);
    expect((globalThis as { Worker?: unknown }).Worker).toBeUndefined();
  });

  it("computes what cpu computes when XNNPack splits the work between threads", async () => {
    const rng = createRng(3);
    const a = Float32Array.from({ length: 96 * 300 }, () => rng.uniform(-1, 1));
    const b = Float32Array.from({ length: 300 * 200 }, () => rng.uniform(-1, 1));
    const product = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => tf.matMul(tf.tensor2d(a, [96, 300]), tf.tensor2d(b, [300, 200])).dataSync());
    };
    const wasm = await product("wasm");
    const cpu = await product("cpu");
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(wasm[i]! - cpu[i]!));
    expect(worst).toBeLessThan(1e-4);
    await tf.setBackend("wasm");
  });

  it("lets the process exit when done, with 2 threads and with the single-threaded build", async () => {
    // A pool thread kept referenced would make these hang until the timeout kills them.
    expect(await startInChild(2)).toBe(`${Math.min(2, os.availableParallelism())} 128`);
    expect(await startInChild(1)).toBe("1 128");
  });
});
