/**
 * Issue 5's and 16's figures in one run: forward ms/image per engine (batch 1 and 32), the
 * prefix-cache build, the suffix train step (kernel variants, 1 and 2 threads, PyTorch beside them
 * when present), and, with `--job`, the reference job itself (`cxrlab train --preset reference` on
 * cxr-dev) with its wall time and peak memory, trained on onnxruntime and again on tfjs (same seed,
 * same features: `CXRLAB_TRAIN_ENGINE=tfjs`), with the two accuracies compared paired (McNemar).
 * Run: `npm run bench [-- --quick] [-- --job]`. Compare rows of one run: the machine is noisy.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCsv } from "../packages/core/src/data/csv.ts";
import { comparePairedAccuracy } from "../packages/core/src/metrics/index.ts";
import { REPO_ROOT, sharedPaths } from "../packages/core/src/paths.ts";
import { runForwardBench } from "./forward.ts";

const quick = process.argv.includes("--quick");
const here = path.dirname(fileURLToPath(import.meta.url));

interface JobFigures {
  wallSeconds: number;
  peakRssBytes: number;
  accuracy: number | null;
  timings: Record<string, number>;
  trainEngine: string;
  /** Right or wrong per test image, by path. */
  correct: Map<string, boolean>;
}

/** Peak resident memory of a live process so far (Linux `VmHWM`), or 0 once it has gone. */
function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The reference job as a user runs it (seed 42), in a child process whose peak memory is sampled. */
async function runReferenceJob(env: NodeJS.ProcessEnv = {}): Promise<JobFigures> {
  const out = mkdtempSync(path.join(os.tmpdir(), "cxrlab-bench-job-"));
  const args = [
    path.join(REPO_ROOT, "apps/cli/bin/cxrlab.mjs"),
    "train",
    "--preset",
    "reference",
    "--data",
    sharedPaths.devTrain(),
    "--test",
    sharedPaths.devTest(),
    "--out",
    out,
    "--name",
    "bench-reference",
    "--seed",
    "42",
    "--json",
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, DATABASE_URL: `file:${path.join(out, "bench.db")}` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid!));
  }, 250);
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - started) / 1000;
  try {
    if (code !== 0) throw new Error(`reference job exited with code ${code}`);
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      accuracy: number | null;
      timings: Record<string, number>;
      trainEngine: string;
      runDir: string;
    };
    const file = path.join(result.runDir, "predictions.csv");
    const rows = parseCsv(readFileSync(file, "utf8"), file);
    const correct = new Map(rows.map((r) => [r.path!, r.label === r.predicted]));
    return { wallSeconds, peakRssBytes: peak, ...result, correct };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function printJob(what: string, job: JobFigures): void {
  console.log(
    `${what} (${job.trainEngine}): wall ${(job.wallSeconds / 60).toFixed(1)} min, ` +
      `peak memory ${(job.peakRssBytes / 2 ** 30).toFixed(2)} GiB, ` +
      `test accuracy ${job.accuracy === null ? "n/a" : `${(job.accuracy * 100).toFixed(3)}%`}`,
  );
  console.log(
    `  phases: ${Object.entries(job.timings)
      .map(([name, s]) => `${name} ${(s / 60).toFixed(1)} min`)
      .join(", ")}`,
  );
}

console.log(`== forward and prefix cache (${os.availableParallelism()} cores)`);
await runForwardBench({ quick });

console.log("\n== suffix train step");
execFileSync(
  process.execPath,
  ["--import", "tsx", path.join(here, "train-step.ts"), ...(quick ? ["--quick"] : [])],
  {
    stdio: "inherit",
  },
);

if (process.argv.includes("--job")) {
  console.log("\n== the reference job (cxr-dev Train/Test, preset reference, seed 42)");
  const onnx = await runReferenceJob();
  printJob("trained on onnxruntime (the default)", onnx);
  const tfjs = await runReferenceJob({ CXRLAB_TRAIN_ENGINE: "tfjs" });
  printJob("trained on tfjs (CXRLAB_TRAIN_ENGINE=tfjs)", tfjs);
  const paths = [...onnx.correct.keys()].filter((p) => tfjs.correct.has(p));
  const paired = comparePairedAccuracy(
    paths.map((p) => onnx.correct.get(p)!),
    paths.map((p) => tfjs.correct.get(p)!),
    { seed: 42 },
  );
  const points = (v: number | null) => (v === null ? "n/a" : `${v >= 0 ? "+" : ""}${(v * 100).toFixed(2)}`);
  console.log(
    `onnxruntime − tfjs on the same ${paired.n} test images: ${points(paired.difference.estimate)} points ` +
      `[${points(paired.difference.lower)}, ${points(paired.difference.upper)}], ` +
      `only one right: ${paired.b} / ${paired.c}, McNemar p = ${paired.mcnemarP.toPrecision(3)}; ` +
      `wall time ${(tfjs.wallSeconds / onnx.wallSeconds).toFixed(2)}× less on onnxruntime`,
  );
} else {
  console.log("\n(add --job to run the reference job on each trainer: about 15 + 35 minutes)");
}
