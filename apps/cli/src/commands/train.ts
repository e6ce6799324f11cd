import type { ExperimentConfig } from "@cxrlab/core/config";
import {
  CONFIG_LIMITS,
  optimizerSchema,
  scheduleSchema,
  splitBySchema,
  trainingSchema,
} from "@cxrlab/core/config";
import { PRESET_NAMES } from "@cxrlab/core/presets";
import { type SeedRun, summarizeSeeds } from "@cxrlab/core/run";
import { configFromOverrides } from "@cxrlab/core/train-overrides";
import { trainingOverrides } from "@cxrlab/queue";
import { createProgressBar, runTraining, type TrainRequest } from "@cxrlab/queue/runners";
import { type Command, Option } from "commander";
import { auditCli } from "../cli-audit.ts";
import {
  backendName,
  fraction,
  freezeUntil,
  intUpTo,
  nonNegativeInt,
  nonNegativeNumber,
  numberUpTo,
  positiveInt,
} from "../options.ts";
import { flagsPerSeed, seedBatchTag, seedsOption } from "../seed-batch.ts";
import { printSeedSummary, printTrainOutcome } from "./train-output.ts";

/** The `cxrlab train` options: a training run's request (core's overrides and the run's inputs). */
export interface TrainFlags extends TrainRequest {
  /** `--seeds`: one run per seed (train and queue add). */
  seeds?: number[];
  json?: boolean;
}

/** Ctrl-C stops training after the current batch; a second Ctrl-C quits at once. */
function stopOnCtrlC(controller: AbortController, log: (line: string) => void): () => void {
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    log("\nstopping after this batch (Ctrl-C again to quit at once)...");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return () => process.off("SIGINT", onSigint);
}

/** `cxrlab train`'s run: queue's runner with a progress bar, the CLI's audit entry and Ctrl-C. */
export function trainFromCli(flags: TrainFlags) {
  return runTraining(flags, { onProgress: createProgressBar(), audit: auditCli, interrupt: stopOnCtrlC });
}

export function addTrainOptions(cmd: Command, defaults: { preset: string; data?: string }): Command {
  return cmd
    .addOption(
      new Option("--preset <name>", "starting configuration").choices(PRESET_NAMES).default(defaults.preset),
    )
    .option("--data <dir>", "training folder, one sub-folder per class", defaults.data)
    .option(
      "--dataset <name@version>",
      "a dataset version of --project instead of --data (cxrlab datasets list); split by patient unless --split-by says otherwise",
    )
    .option("--test <dir>", "test folder (default: a held-out part of --data)")
    .option(
      "--weights <path|url|none>",
      "ImageNet weights: TF.js folder/model.json or Keras .h5 (none: random init)",
    )
    .option("--epochs <n>", `epochs (at most ${CONFIG_LIMITS.epochs})`, intUpTo(CONFIG_LIMITS.epochs))
    .option(
      "--batch-size <n>",
      `batch size (at most ${CONFIG_LIMITS.batchSize})`,
      intUpTo(CONFIG_LIMITS.batchSize),
    )
    .option(
      "--micro-batch-size <n>",
      "images per forward/backward pass (gradients accumulate)",
      intUpTo(CONFIG_LIMITS.microBatchSize),
    )
    .addOption(
      new Option("--optimizer <name>", "sgd, or adamw (Adam with decoupled weight decay)").choices(
        optimizerSchema.shape.type.unwrap().options,
      ),
    )
    .option("--lr <rate>", "peak learning rate", numberUpTo(CONFIG_LIMITS.learningRate))
    .option("--momentum <m>", "SGD momentum (0 = plain SGD)", fraction)
    .option(
      "--weight-decay <d>",
      "decoupled weight decay of kernels per unit learning rate (0 = off)",
      fraction,
    )
    .option("--warmup-epochs <n>", "epochs of linear learning-rate warm-up", nonNegativeNumber)
    .addOption(
      new Option("--lr-schedule <name>", "learning rate after warm-up").choices(
        scheduleSchema.shape.decay.unwrap().options,
      ),
    )
    .option("--label-smoothing <e>", "label smoothing of the loss (0 = off)", fraction)
    .option("--weight-average <decay>", "average the weights with this decay per step (0 = off)", fraction)
    .addOption(
      new Option(
        "--keep <epoch>",
        "which epoch's weights to keep: best by val_loss or val_accuracy, or last",
      ).choices(trainingSchema.shape.checkpointMonitor.unwrap().options),
    )
    .option(
      "--freeze-until <n|all>",
      "freeze layers [0, n); 0 = fine-tune all; all = whole backbone",
      freezeUntil,
    )
    .option("--image-size <px>", "input size", intUpTo(CONFIG_LIMITS.imageSize))
    .option("--seed <n>", "random seed", nonNegativeInt)
    .option("--views <k>", "augmented views cached per training image", intUpTo(CONFIG_LIMITS.cachedViews))
    .option("--zoom <z>", "random zoom: a scale from [1 - z, 1 + z] per axis (0 = off)", fraction)
    .option("--rotation <deg>", "random rotation of up to this many degrees (0 = off)", nonNegativeNumber)
    .option("--shift <f>", "random shift of up to this fraction of the image size (0 = off)", fraction)
    .option("--brightness <b>", "random brightness factor from [1 - b, 1 + b] (0 = off)", fraction)
    .option("--contrast <c>", "random contrast factor from [1 - c, 1 + c] (0 = off)", fraction)
    .option("--gamma <g>", "random gamma from [1 - g, 1 + g] (0 = off)", fraction)
    .addOption(
      new Option(
        "--calibration <how>",
        "temperature: fit one temperature on validation and fold it into the model; none: as trained",
      ).choices(trainingSchema.shape.calibration.unwrap().options),
    )
    .option("--validation-split <f>", "fraction of --data held out for validation", fraction)
    .option("--test-split <f>", "fraction of --data held out for testing when --test is not given", fraction)
    .addOption(
      new Option(
        "--split-by <unit>",
        "hold out whole patients (patient: from --patients, else the GROUPS.tsv of --data or its parent), " +
          "single images (image), or patients when either is found (auto)",
      ).choices(splitBySchema.options),
    )
    .option("--patients <file>", "CSV file,patient_id for the --data images (default: <data>/patients.csv)")
    .option("--no-cache-prefix", "train through the frozen layers every step instead of caching their output")
    .option("--name <name>", "run name (default: the preset's)")
    .option("--classes <list>", "comma-separated class folders to use, in label order")
    .option("--limit-per-class <n>", "use only the first n images of each class (smoke runs)", positiveInt)
    .option("--out <dir>", "folder that holds run folders", "runs")
    .option("--project <name>", "project the run belongs to in the store", "default")
    .option("--tag <tag...>", "tags for the run in the store")
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--resume <runDir>", "continue an interrupted run from its last finished epoch")
    .option("--skip-bad", "leave unreadable images out (listed in the report) instead of stopping")
    .option("--json", "print the result as JSON on stdout");
}

export function registerTrainCommand(program: Command): void {
  addTrainOptions(program.command("train").description("train a classifier and evaluate it"), {
    preset: "reference",
  })
    .addOption(seedsOption())
    .action(async (flags: TrainFlags) => {
      if (flags.seeds) {
        await trainSeeds(flags, flags.seeds);
        return;
      }
      const { result, artifacts, runId } = await trainFromCli(flags);
      printTrainOutcome(result, artifacts, runId, flags.json ?? false);
      if (result.status !== "succeeded") process.exitCode = 130;
    });
}

/**
 * One run after the other, one per seed, all tagged with the batch's tag; then the summary of
 * their test accuracies. An interrupted run ends the batch (the summary covers the runs so far).
 */
async function trainSeeds(flags: TrainFlags, seeds: readonly number[]): Promise<void> {
  const tag = seedBatchTag();
  const runs: SeedRun[] = [];
  for (const [i, runFlags] of flagsPerSeed(flags, seeds, tag).entries()) {
    process.stderr.write(`\nseed ${runFlags.seed} (${i + 1} of ${seeds.length}, tag ${tag})\n`);
    const { result, runId } = await trainFromCli(runFlags);
    runs.push({
      seed: runFlags.seed,
      runId,
      runDir: result.runDir,
      status: result.status,
      accuracy: result.evaluation?.accuracy ?? null,
      testPredictions: result.testPredictions,
    });
    if (result.status !== "succeeded") {
      process.exitCode = 130;
      break;
    }
  }
  printSeedSummary(await summarizeSeeds(tag, runs), flags.json ?? false);
}

/** The preset with the flags' overrides, as a queued job's worker and the dashboard resolve it too. */
export function configFromFlags(flags: TrainFlags): ExperimentConfig {
  return configFromOverrides(flags.preset, trainingOverrides(flags));
}
