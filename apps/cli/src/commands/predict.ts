import type { BackendName } from "@cxrlab/core/backend/select";
import { predictImages } from "@cxrlab/core/inference/predict";
import type { Command } from "commander";
import { useBackend } from "../backend.ts";
import { backendName, existingDir, positiveInt } from "../options.ts";
import { createProgressBar } from "../progress-bar.ts";
import { recordForModelRun } from "../record-predictions.ts";

interface PredictFlags {
  model: string;
  batchSize: number;
  backend?: BackendName;
  skipBad?: boolean;
  json?: boolean;
}

export function registerPredictCommand(program: Command): void {
  program
    .command("predict")
    .description("classify X-ray images with a trained model")
    .argument("<images...>", "image files or folders")
    .requiredOption("--model <runDir>", "run folder (or its model/ folder)")
    .option("--batch-size <n>", "images per forward pass", positiveInt, 8)
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--skip-bad", "leave unreadable images out instead of stopping")
    .option("--json", "print JSON")
    .action(async (images: string[], flags: PredictFlags) => {
      existingDir("--model", flags.model);
      const backend = await useBackend(flags.backend);
      const result = await predictImages({
        model: flags.model,
        inputs: images,
        batchSize: flags.batchSize,
        skipBad: flags.skipBad ?? false,
        onProgress: createProgressBar(),
      });
      const recorded = await recordForModelRun(result.modelDir, result.predictions);
      if (flags.json) {
        console.log(JSON.stringify({ backend: backend.name, runId: recorded, ...result }));
        return;
      }
      for (const p of result.predictions) {
        const probs = result.classNames
          .map((c) => `${c} ${(p.probabilities[c]! * 100).toFixed(1)}%`)
          .join("  ");
        console.log(`${p.path}\n  ${p.predictedClass} (${(p.confidence * 100).toFixed(1)}%)   ${probs}`);
      }
      for (const s of result.skipped) console.log(`skipped ${s.path}: ${s.reason}`);
    });
}
