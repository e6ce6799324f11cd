import path from "node:path";
import { groupingForImages } from "../data/image-groups.ts";
import {
  type BootstrapMethod,
  type BootstrapSettings,
  bootstrap,
  describeBootstrap,
  formatFixed,
  formatInterval,
  type Interval,
  percentileInterval,
} from "../metrics/index.ts";
import type { TestPrediction } from "../train/trainer.ts";

/** One run of a batch trained with `--seeds`, as it finished. */
export interface SeedRun {
  seed: number;
  runId: number;
  runDir: string;
  status: string;
  /** Test accuracy; null when the run was not evaluated (interrupted, no test images). */
  accuracy: number | null;
  testPredictions: readonly Pick<TestPrediction, "path" | "label" | "predicted">[];
}

export interface SeedSummary {
  /** The tag every run of the batch carries. */
  tag: string;
  runs: Omit<SeedRun, "testPredictions">[];
  /** Over the runs with a test accuracy; sd is the sample standard deviation (n - 1), null under 2 runs. */
  accuracy: { runs: number; mean: number | null; sd: number | null };
  /**
   * The accuracy of every run's test predictions pooled, with its percentile bootstrap interval.
   * Each resample draws test images (or their GROUPS.tsv groups) with all the seeds' predictions
   * of them: one image seen by several models is still one piece of evidence. Null without any.
   */
  pooled: (BootstrapMethod & { accuracy: Interval; predictions: number; images: number }) | null;
}

/** Mean and sample standard deviation of the runs' test accuracies, and their pooled interval. */
export async function summarizeSeeds(
  tag: string,
  runs: readonly SeedRun[],
  settings: Omit<BootstrapSettings, "grouping"> = {},
): Promise<SeedSummary> {
  const accuracies = runs.flatMap((r) => (r.accuracy === null ? [] : [r.accuracy]));
  const n = accuracies.length;
  const mean = n > 0 ? accuracies.reduce((a, b) => a + b, 0) / n : null;
  const sd =
    mean !== null && n > 1
      ? Math.sqrt(accuracies.reduce((sum, a) => sum + (a - mean) ** 2, 0) / (n - 1))
      : null;
  return {
    tag,
    runs: runs.map(({ testPredictions: _, ...run }) => run),
    accuracy: { runs: n, mean, sd },
    pooled: await pooledAccuracy(
      runs.flatMap((r) => r.testPredictions),
      settings,
    ),
  };
}

async function pooledAccuracy(
  predictions: SeedRun["testPredictions"],
  settings: Omit<BootstrapSettings, "grouping">,
): Promise<SeedSummary["pooled"]> {
  if (predictions.length === 0) return null;
  const paths = predictions.map((p) => path.resolve(p.path));
  const listed = await groupingForImages(paths);
  // An image not in a GROUPS.tsv is its own unit, with every seed's prediction of it.
  const keys = paths.map((p, i) => listed?.keys[i] ?? `image:${p}`);
  const source = listed ? `test image groups of ${listed.source}` : "test image";
  const correct = predictions.map((p) => Number(p.predicted === p.label));
  const accuracy = (indices: readonly number[]) =>
    indices.reduce((sum, i) => sum + correct[i]!, 0) / indices.length;
  const { method, estimate, draws } = bootstrap(correct.length, accuracy, {
    ...settings,
    grouping: { keys, source },
  });
  return {
    ...method,
    accuracy: percentileInterval(estimate, draws, method.level, "no predictions"),
    predictions: predictions.length,
    images: new Set(paths).size,
  };
}

/** The summary as lines of text: one per run, then mean ± sd and the pooled interval. */
export function formatSeedSummary(summary: SeedSummary): string[] {
  const pct = (v: number | null) => (v === null ? "n/a" : `${formatFixed(v * 100, 3)}%`);
  const { accuracy, pooled } = summary;
  return [
    `${summary.runs.length} seed(s), runs tagged ${summary.tag}:`,
    `  ${"seed".padStart(6)} ${"run".padStart(6)}  ${"status".padEnd(11)} ${"test accuracy".padStart(13)}  run folder`,
    ...summary.runs.map(
      (r) =>
        `  ${String(r.seed).padStart(6)} ${String(r.runId).padStart(6)}  ${r.status.padEnd(11)} ${pct(r.accuracy).padStart(13)}  ${r.runDir}`,
    ),
    `test accuracy over ${accuracy.runs} run(s): mean ${pct(accuracy.mean)} ± sd ${pct(accuracy.sd)}`,
    pooled
      ? `pooled accuracy ${formatInterval(pooled.accuracy, 5)} (${pooled.predictions} predictions of ${pooled.images} test images; ${describeBootstrap(pooled)})`
      : "pooled accuracy: n/a (no test predictions)",
  ];
}
