/**
 * The reference job's suffix train step (DenseNet169 layers 369+ on cached 8x8x640 features, batch
 * 32) on every engine: tfjs-wasm with kernel variants (see VARIANTS) at 1 and 2 threads (one child
 * process each: the thread count is fixed when wasm starts) and several micro-batch sizes;
 * onnxruntime (train/onnx-step.ts) on whole batches and micro-batches; and, when a PyTorch is
 * installed (`python3 -c 'import torch'`), the same step in PyTorch (bench/peers/), with each row's
 * ratio to it and the reference job's projected training time.
 * Run: `node --import tsx bench/train-step.ts [--quick]`.
 * Noisy when other work shares the machine: compare the rows of one run, and CPU ms/image.
 */
import { execFileSync, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../packages/core/src/backend/select.ts";
import { optimizerSchema } from "../packages/core/src/config.ts";
import { TRAINING_KERNEL } from "../packages/core/src/model/batch-norm.ts";
import { buildDenseNet } from "../packages/core/src/model/densenet.ts";
import { freezeLayers } from "../packages/core/src/model/freeze.ts";
import { sliceModelFrom } from "../packages/core/src/model/slice.ts";
import { OnnxTrainStep } from "../packages/core/src/train/onnx-step.ts";
import { createOptimizer } from "../packages/core/src/train/optimizer.ts";
import { trainStep } from "../packages/core/src/train/step.ts";
import { measure } from "./measure.ts";

const CUT = 369;
const BATCH = 32;
/** The reference job: 10 epochs of ~1,640 training images. */
const REFERENCE_IMAGES = 10 * 1640;

/**
 * Each variant's kernels, from tfjs-wasm's own to ours: which of ours it leaves out. Each later
 * variant adds one change, so neighbouring rows measure it.
 */
const VARIANTS = {
  tfjs: ["SplitV", "Sum", "Mean", TRAINING_KERNEL],
  "split+sum": [TRAINING_KERNEL],
  "fused bn": [],
} as const satisfies Record<string, readonly string[]>;
type Variant = keyof typeof VARIANTS;
const ALL_REPLACED = [...new Set(Object.values(VARIANTS).flat())];

export interface StepMeasure {
  engine: string;
  threads: number;
  /** tfjs-wasm's kernel variant; "" for the others, "blocks 3-4" for the deeper suffix. */
  variant: Variant | "" | "blocks 3-4";
  microBatch: number;
  msPerImage: number;
  /** Process CPU ms per image (all threads): steadier than wall time when the machine is shared. */
  cpuMsPerImage: number;
  /** Process CPU time over wall time and cores: 1 = every core busy the whole step. */
  cpuUtilisation: number;
}

export interface StepBench {
  net: tf.LayersModel;
  optimizer: tf.Optimizer;
  x: tf.Tensor;
  labels: Int32Array;
}

/**
 * The trainable suffix of the reference model with batch statistics (from layer `cut`; default:
 * dense block 4, after `pool4`), and a batch of features.
 */
export function prepareSuffix(cut: number | "pool3" = CUT): StepBench {
  const model = buildDenseNet({
    architecture: "densenet169",
    imageSize: 256,
    numClasses: 3,
    head: { denseUnits: [512, 64], dropout: 0.3 },
  });
  const from = cut === "pool3" ? model.layers.findIndex((l) => l.name === "pool3_pool") + 1 : cut;
  freezeLayers(model, from, "batch");
  const net = sliceModelFrom(model, from);
  const optimizer = createOptimizer(optimizerSchema.parse({ learningRate: 0.01 }));
  const x = tf.randomUniform([BATCH, ...(net.inputs[0]!.shape.slice(1) as number[])], 0, 2);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % 3);
  return { net, optimizer, x, labels };
}

/** Median wall ms/image of `reps` steps after one warm-up, with the CPU use over those steps. */
export async function measureStep(
  bench: StepBench,
  microBatch: number,
  reps: number,
): Promise<{ msPerImage: number; cpuMsPerImage: number; cpuUtilisation: number }> {
  const { msPerImage, cpuMsPerImage, cpu } = await measure(
    BATCH,
    () => trainStep(bench.net, bench.optimizer, bench.x, bench.labels, microBatch),
    { warmup: 1, reps },
  );
  return { msPerImage, cpuMsPerImage, cpuUtilisation: cpu };
}

type KernelSet = Map<string, tf.KernelConfig | undefined>;

const currentKernels = (): KernelSet => new Map(ALL_REPLACED.map((k) => [k, tf.getKernel(k, "wasm")]));

/** Registers the given versions of the kernels (none: no kernel of that name). */
function useKernels(set: KernelSet): void {
  for (const [name, config] of set) {
    if (tf.getKernel(name, "wasm")) tf.unregisterKernel(name, "wasm");
    if (config) tf.registerKernel(config);
  }
}

/** Our kernels, with wasm's own (or none) for those the variant leaves out. */
function variantKernels(variant: Variant, own: KernelSet, ours: KernelSet): KernelSet {
  const left: readonly string[] = VARIANTS[variant];
  return new Map([...ours].map(([name, config]) => [name, left.includes(name) ? own.get(name) : config]));
}

/** Every variant at the thread count this process was started with. */
export async function measureInProcess(microBatches: number[], reps: number): Promise<StepMeasure[]> {
  // wasm's own kernels are registered when its package loads, ours when the backend is selected.
  await import("@tensorflow/tfjs-backend-wasm");
  const own = currentKernels();
  const info = await selectBackend("wasm");
  const bench = prepareSuffix();
  // The fused batch norm registers its kernels on first use.
  trainStep(bench.net, bench.optimizer, bench.x, bench.labels, 16);
  const ours = currentKernels();
  const out: StepMeasure[] = [];
  for (const microBatch of microBatches) {
    for (const variant of Object.keys(VARIANTS) as Variant[]) {
      useKernels(variantKernels(variant, own, ours));
      try {
        out.push({
          engine: "tfjs-wasm",
          threads: info.threads ?? 1,
          variant,
          microBatch,
          ...(await measureStep(bench, microBatch, reps)),
        });
      } finally {
        useKernels(ours);
      }
    }
  }
  // onnxruntime runs on every core whatever wasm's thread count: measured in the widest child.
  if ((info.threads ?? 1) === os.availableParallelism()) {
    const onnx = await OnnxTrainStep.create(bench.net, { batchNormStatistics: "batch" });
    for (const microBatch of [BATCH, ...microBatches.filter((m) => m < BATCH)]) {
      const m = await measure(BATCH, () => onnx.step(bench.optimizer, bench.x, bench.labels, microBatch), {
        warmup: 2,
        reps,
      });
      out.push({
        engine: "onnxruntime",
        threads: os.availableParallelism(),
        variant: "",
        microBatch,
        msPerImage: m.msPerImage,
        cpuMsPerImage: m.cpuMsPerImage,
        cpuUtilisation: m.cpu,
      });
    }
    await onnx.dispose();
    // Dense blocks 3 and 4 (prefix cached at pool3, 16x16x640 features): what a deeper fine-tune costs.
    const deep = prepareSuffix("pool3");
    const deepStep = await OnnxTrainStep.create(deep.net, { batchNormStatistics: "batch" });
    const m = await measure(BATCH, () => deepStep.step(deep.optimizer, deep.x, deep.labels, 16), {
      warmup: 1,
      reps: 2,
    });
    out.push({
      engine: "onnxruntime",
      threads: os.availableParallelism(),
      variant: "blocks 3-4",
      microBatch: 16,
      msPerImage: m.msPerImage,
      cpuMsPerImage: m.cpuMsPerImage,
      cpuUtilisation: m.cpu,
    });
    await deepStep.dispose();
  }
  return out;
}

/** PyTorch's step (bench/peers/torch_suffix_step.py), or null when no PyTorch is installed. */
function measurePyTorch(reps: number): StepMeasure | null {
  const python = ["/usr/bin/python3", "python3"].find(
    (p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0,
  );
  if (!python) return null;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "peers/torch_suffix_step.py");
  // By default glibc maps large allocations afresh and unmaps them when freed, so every PyTorch op
  // page-faults its output in: 450 instead of ~18 ms/image on this VM. Keeping freed memory in the
  // process, as tuned PyTorch deployments do (or jemalloc/tcmalloc), makes it a fair peer.
  const env = {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20),
    MALLOC_TRIM_THRESHOLD_: String(16 * 2 ** 30),
  };
  const out = execFileSync(python, [script, "--reps", String(reps)], { encoding: "utf8", env });
  const r = JSON.parse(out) as { engine: string; threads: number; msPerImage: number; cpuMsPerImage: number };
  return {
    engine: r.engine,
    threads: r.threads,
    variant: "",
    microBatch: BATCH,
    msPerImage: r.msPerImage,
    cpuMsPerImage: r.cpuMsPerImage,
    cpuUtilisation: r.cpuMsPerImage / r.msPerImage / r.threads,
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const microBatches = quick ? [16] : [8, 16, 32];
  const reps = quick ? 2 : 3;
  if (process.argv.includes("--child")) {
    process.stdout.write(JSON.stringify(await measureInProcess(microBatches, reps)));
    return;
  }
  const rows: StepMeasure[] = [];
  for (const threads of [1, 2]) {
    process.stderr.write(`measuring with ${threads} thread(s)...\n`);
    const args = [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--child",
      ...(quick ? ["--quick"] : []),
    ];
    const out = execFileSync(process.execPath, args, {
      env: { ...process.env, CXRLAB_WASM_THREADS: String(threads) },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    rows.push(...(JSON.parse(out) as StepMeasure[]));
  }
  process.stderr.write("measuring PyTorch...\n");
  const torch = measurePyTorch(reps);
  if (torch) rows.push(torch);
  const baseline = rows.find((r) => r.threads === 1 && r.variant === "tfjs" && r.microBatch === 16);
  console.log(`suffix train step, batch ${BATCH}, DenseNet169 layers ${CUT}+ on 8x8x640 features`);
  console.log(
    "engine               threads    variant  micro-batch  ms/image  cpu ms/image  cpu use  vs 1 thread/tfjs/16  vs PyTorch  10 epochs (min)",
  );
  for (const r of rows) {
    const speedup = baseline ? `${(baseline.msPerImage / r.msPerImage).toFixed(2)}x` : "";
    const vsTorch = torch ? `${(r.msPerImage / torch.msPerImage).toFixed(2)}x` : "";
    const minutes = (r.msPerImage * REFERENCE_IMAGES) / 60_000;
    console.log(
      `${r.engine.padEnd(19)}  ${String(r.threads).padStart(7)}  ${r.variant.padStart(9)}  ${String(r.microBatch).padStart(11)}  ` +
        `${r.msPerImage.toFixed(1).padStart(8)}  ${r.cpuMsPerImage.toFixed(1).padStart(12)}  ` +
        `${`${(100 * r.cpuUtilisation).toFixed(0)}%`.padStart(7)}  ${speedup.padStart(19)}  ${vsTorch.padStart(10)}  ${minutes.toFixed(1).padStart(15)}`,
    );
  }
  if (!torch) console.log("(no PyTorch here: install python3-torch for the peer's row)");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
