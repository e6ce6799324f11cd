/**
 * The reference job's suffix train step (DenseNet169 layers 369+ on cached 8x8x640 features, batch
 * 32 in micro-batches) on tfjs-wasm: ms/image and CPU use for kernel variants (see VARIANTS), at 1
 * and 2 threads (one child process each: the thread count is fixed when wasm starts), for several
 * micro-batch sizes, and the reference job's projected training time.
 * Run: `node --import tsx bench/train-step.ts [--quick]`.
 * Noisy when other work shares the machine: compare the rows of one run, and CPU ms/image.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../packages/core/src/backend/select.ts";
import { optimizerSchema } from "../packages/core/src/config.ts";
import { TRAINING_KERNEL } from "../packages/core/src/model/batch-norm.ts";
import { buildDenseNet } from "../packages/core/src/model/densenet.ts";
import { freezeLayers } from "../packages/core/src/model/freeze.ts";
import { sliceModelFrom } from "../packages/core/src/model/slice.ts";
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
  threads: number;
  variant: Variant;
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

/** The trainable suffix of the reference model with batch statistics, and a batch of features. */
export function prepareSuffix(): StepBench {
  const model = buildDenseNet({
    architecture: "densenet169",
    imageSize: 256,
    numClasses: 3,
    head: { denseUnits: [512, 64], dropout: 0.3 },
  });
  freezeLayers(model, CUT, "batch");
  const net = sliceModelFrom(model, CUT);
  const optimizer = createOptimizer(optimizerSchema.parse({ learningRate: 0.01 }));
  const x = tf.randomUniform([BATCH, 8, 8, 640], 0, 2);
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
  return out;
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
  const baseline = rows.find((r) => r.threads === 1 && r.variant === "tfjs" && r.microBatch === 16);
  console.log(`suffix train step, batch ${BATCH}, DenseNet169 layers ${CUT}+ on 8x8x640 features`);
  console.log(
    "threads    variant  micro-batch  ms/image  cpu ms/image  cpu use  vs 1 thread/tfjs/16  10 epochs (min)",
  );
  for (const r of rows) {
    const speedup = baseline ? `${(baseline.msPerImage / r.msPerImage).toFixed(2)}x` : "";
    const minutes = (r.msPerImage * REFERENCE_IMAGES) / 60_000;
    console.log(
      `${String(r.threads).padStart(7)}  ${r.variant.padStart(9)}  ${String(r.microBatch).padStart(11)}  ` +
        `${r.msPerImage.toFixed(1).padStart(8)}  ${r.cpuMsPerImage.toFixed(1).padStart(12)}  ` +
        `${`${(100 * r.cpuUtilisation).toFixed(0)}%`.padStart(7)}  ${speedup.padStart(19)}  ${minutes.toFixed(1).padStart(15)}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
