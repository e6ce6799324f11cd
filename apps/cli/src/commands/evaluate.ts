import type { BackendName } from "@cxrlab/core/backend/select";
import { evaluateModel } from "@cxrlab/core/inference/evaluate";
import { formatClassificationReport } from "@cxrlab/core/metrics";
import type { Command } from "commander";
import { useBackend } from "../backend.ts";
import { backendName, existingDir, positiveInt } from "../options.ts";
import { createProgressBar } from "../progress-bar.ts";
import { recordForModelRun } from "../record-predictions.ts";

interface EvaluateFlags {
  model: string;
  data: string;
  batchSize: number;
  backend?: BackendName;
  skipBad?: boolean;
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
    .option("--json", "print JSON")
    .action(async (flags: EvaluateFlags) => {
      existingDir("--model", flags.model);
      existingDir("--data", flags.data);
      const backend = await useBackend(flags.backend);
      const result = await evaluateModel({
        model: flags.model,
        dataDir: flags.data,
        batchSize: flags.batchSize,
        skipBad: flags.skipBad ?? false,
        onProgress: createProgressBar(),
      });
      const m = result.metrics;
      const runId = await recordForModelRun(result.modelDir, result.predictions, {
        dataDir: result.dataDir,
        metrics: m,
      });
      if (flags.json) {
        console.log(
          JSON.stringify({
            backend: backend.name,
            runId,
            engine: result.engine,
            modelDir: result.modelDir,
            dataDir: result.dataDir,
            images: result.predictions.length,
            skipped: result.skipped,
            ...m,
            predictions: result.predictions,
          }),
        );
        return;
      }
      console.log(`model: ${result.modelDir} (run by ${result.engine})`);
      console.log(`data: ${result.dataDir} (${result.predictions.length} images)`);
      console.log(`accuracy ${(m.accuracy * 100).toFixed(3)}%  loss ${m.loss.toFixed(5)}\n`);
      console.log(formatClassificationReport(m.report, 5));
      for (const s of result.skipped) console.log(`skipped ${s.path}: ${s.reason}`);
    });
}
