import { PRECISIONS } from "@cxrlab/core/inference";
import { DEFAULT_RESAMPLES, formatClassificationReport, formatMetricIntervals } from "@cxrlab/core/metrics";
import { createProgressBar, type EvaluationRequest, runEvaluation } from "@cxrlab/queue/runners";
import { type Command, Option } from "commander";
import { backendName, nonNegativeInt, positiveInt } from "../options.ts";

interface EvaluateFlags extends EvaluationRequest {
  batchSize: number;
  json?: boolean;
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
      const { backend, runId, result } = await runEvaluation({ ...flags, onProgress: createProgressBar() });
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
