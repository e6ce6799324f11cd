import type { BackendName } from "@cxrlab/core/backend/select";
import { type EvaluateResult, evaluateModel } from "@cxrlab/core/inference/evaluate";
import { PRECISIONS, type PrecisionRequest } from "@cxrlab/core/inference/int8";
import { DEFAULT_RESAMPLES, formatClassificationReport, formatMetricIntervals } from "@cxrlab/core/metrics";
import { type Command, Option } from "commander";
import { useBackend } from "../backend.ts";
import { backendName, existingDir, nonNegativeInt, positiveInt } from "../options.ts";
import { createProgressBar } from "../progress-bar.ts";
import { recordForModelRun } from "../record-predictions.ts";

export interface EvaluationRequest {
  /** Run folder or its model/ folder. */
  model: string;
  data: string;
  batchSize?: number;
  backend?: BackendName;
  skipBad?: boolean;
  /** Bootstrap resamples of the metrics' intervals (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap (default 0). */
  seed?: number;
  /** auto (default): int8 when the model's recorded int8 check passed; fp32/int8 force one. */
  precision?: PrecisionRequest;
  /** A queued job's: stops it between images and batches (nothing is recorded then). */
  signal?: AbortSignal;
}

interface EvaluateFlags extends EvaluationRequest {
  batchSize: number;
  json?: boolean;
}

/**
 * Scores a model on a labelled folder and records the evaluation (split `folder:<path>`) and its
 * predictions under the model's training run (`cxrlab evaluate` and queued evaluation jobs).
 */
export async function runEvaluation(
  request: EvaluationRequest,
): Promise<{ backend: string; runId: number | null; result: EvaluateResult }> {
  existingDir("--model", request.model);
  existingDir("--data", request.data);
  const backend = await useBackend(request.backend);
  const result = await evaluateModel({
    model: request.model,
    dataDir: request.data,
    batchSize: request.batchSize ?? 8,
    skipBad: request.skipBad ?? false,
    onProgress: createProgressBar(),
    bootstrap: { resamples: request.resamples ?? DEFAULT_RESAMPLES, seed: request.seed ?? 0 },
    ...(request.precision ? { precision: request.precision } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const runId = await recordForModelRun(result.modelDir, result.predictions, {
    dataDir: result.dataDir,
    metrics: result.metrics,
    intervals: result.intervals,
  });
  return { backend: backend.name, runId, result };
}

export function registerEvaluateCommand(program: Command): void {
  program
    .command("evaluate")
    .description("score a trained model on a labelled folder")
    .requiredOption("--model <runDir>", "run folder (or its model/ folder)")
    .requiredOption("--data <dir>", "folder with one sub-folder per class")
    .option("--batch-size <n>", "images per forward pass", positiveInt, 8)
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--skip-bad", "leave unreadable images out instead of stopping")
    .addOption(precisionOption())
    .option("--resamples <n>", "bootstrap resamples of the 95% intervals", positiveInt, DEFAULT_RESAMPLES)
    .option("--seed <n>", "seed of the bootstrap", nonNegativeInt, 0)
    .option("--json", "print JSON")
    .action(async (flags: EvaluateFlags) => {
      const { backend, runId, result } = await runEvaluation(flags);
      const m = result.metrics;
      if (flags.json) {
        console.log(
          JSON.stringify({
            backend,
            runId,
            engine: result.engine,
            precision: result.precision,
            precisionReason: result.precisionReason,
            modelDir: result.modelDir,
            dataDir: result.dataDir,
            images: result.predictions.length,
            skipped: result.skipped,
            ...m,
            intervals: result.intervals,
            predictions: result.predictions,
          }),
        );
        return;
      }
      console.log(`model: ${result.modelDir} (run by ${result.engine}; ${result.precisionReason})`);
      console.log(`data: ${result.dataDir} (${result.predictions.length} images)`);
      console.log(`accuracy ${(m.accuracy * 100).toFixed(3)}%  loss ${m.loss.toFixed(5)}\n`);
      console.log(formatClassificationReport(m.report, 5));
      console.log(`${formatMetricIntervals(result.intervals).join("\n")}\n`);
      for (const s of result.skipped) console.log(`skipped ${s.path}: ${s.reason}`);
    });
}

/** `--precision`: auto uses int8 only where `cxrlab model quantize` recorded a passed check. */
export function precisionOption(): Option {
  return new Option(
    "--precision <p>",
    "auto: int8 when the model's recorded int8 check passed (cxrlab model quantize), else fp32",
  )
    .choices(PRECISIONS)
    .default("auto");
}
