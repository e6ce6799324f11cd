import { existsSync } from "node:fs";
import path from "node:path";
import type { BackendName } from "@cxrlab/core/backend/select";
import type { ExperimentConfig } from "@cxrlab/core/config";
import {
  CONFIG_LIMITS,
  experimentConfigSchema,
  optimizerSchema,
  scheduleSchema,
  splitBySchema,
  trainingSchema,
} from "@cxrlab/core/config";
import { datasetFingerprint } from "@cxrlab/core/data";
import { readPatientIds } from "@cxrlab/core/data/patient-ids";
import { sharedPaths } from "@cxrlab/core/paths";
import { PRESET_NAMES } from "@cxrlab/core/presets";
import { writeRunArtifacts, writeRunStatus } from "@cxrlab/core/run/artifacts";
import { createRunDir, readJson, writeJson } from "@cxrlab/core/run/run-dir";
import { type SeedRun, summarizeSeeds } from "@cxrlab/core/run/seed-summary";
import { type DatasetSources, prepareDataset } from "@cxrlab/core/train/dataset";
import { type TrainOutcome, train } from "@cxrlab/core/train/trainer";
import { configFromOverrides, type TrainOverrides } from "@cxrlab/core/train-overrides";
import { createRun, recordEpoch, recordTrainOutcome, updateRunProgress, updateRunStatus } from "@cxrlab/db";
import { type Command, Option } from "commander";
import { auditCli } from "../cli-audit.ts";
import {
  backendName,
  existingDir,
  fraction,
  freezeUntil,
  intUpTo,
  nonNegativeInt,
  nonNegativeNumber,
  numberUpTo,
  positiveInt,
} from "../options.ts";
import { createProgressBar } from "../progress-bar.ts";
import { createProgressRecorder } from "../progress-recorder.ts";
import { flagsPerSeed, seedBatchTag, seedsOption } from "../seed-batch.ts";
import { codeVersion, describeStore, withStore } from "../store.ts";
import { printSeedSummary, printTrainOutcome } from "./train-output.ts";

/** The `cxrlab train` options: the config overrides (core's one table of them) and the run's inputs. */
export interface TrainFlags extends TrainOverrides {
  preset: string;
  data?: string;
  test?: string;
  weights?: string;
  /** `--seeds`: one run per seed (train and queue add). */
  seeds?: number[];
  patients?: string;
  classes?: string;
  limitPerClass?: number;
  project?: string;
  tag?: string[];
  out: string;
  backend?: BackendName;
  resume?: string;
  skipBad?: boolean;
  json?: boolean;
}

export function addTrainOptions(cmd: Command, defaults: { preset: string; data?: string }): Command {
  return cmd
    .addOption(
      new Option("--preset <name>", "starting configuration").choices(PRESET_NAMES).default(defaults.preset),
    )
    .option("--data <dir>", "training folder, one sub-folder per class", defaults.data)
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
      const { result, artifacts, runId } = await runTraining(flags);
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
    const { result, runId } = await runTraining(runFlags);
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
  return configFromOverrides(flags.preset, flags);
}

function resolveWeights(flag: string | undefined): string | null {
  if (flag === "none") return null;
  if (flag) {
    if (!/^https?:\/\//.test(flag) && !existsSync(flag))
      throw new Error(`--weights ${flag}: no such file or folder`);
    return flag;
  }
  const bundled = sharedPaths.imagenetWeights();
  if (!existsSync(bundled)) {
    throw new Error(
      `no ImageNet weights at ${bundled}; pass --weights PATH (Keras .h5 or TF.js folder) or --weights none`,
    );
  }
  return bundled;
}

interface RunInfo {
  data: string;
  test?: string;
  weights: string | null;
  classes?: string[];
  limitPerClass?: number;
  /** CSV file,patient_id, for a split by patient. */
  patients?: string;
  /** The run's id in the experiment store. */
  runId?: number;
}

export interface TrainingControl {
  /** Stops training after the current batch, like Ctrl-C (used by queue workers on cancel). */
  signal?: AbortSignal;
  /** A run already in the store (queued) to fill in instead of creating one. */
  runId?: number;
}

/**
 * Trains as the flags say (or resumes a run), writes the run folder and records the run in the
 * experiment store as it goes: the run at start, each epoch when it finishes, then the test
 * evaluation, one prediction per test image and the final status (all at once). A failure of the
 * training, its artifacts or that recording marks the run failed, with why, in its folder and the store.
 */
export async function runTraining(flags: TrainFlags, control: TrainingControl = {}) {
  let config: ExperimentConfig;
  let runDir: string;
  let info: RunInfo;
  const inputsFile = () => path.join(runDir, "inputs.json");
  if (flags.resume) {
    runDir = existingDir("--resume", flags.resume);
    config = experimentConfigSchema.parse(await readJson(path.join(runDir, "config.json"), "run config"));
    info = await readJson<RunInfo>(inputsFile(), "run inputs");
  } else {
    if (!flags.data) throw new Error("--data <dir> is required: a folder with one sub-folder per class");
    config = configFromFlags(flags);
    info = {
      data: path.resolve(existingDir("--data", flags.data)),
      ...(flags.test ? { test: path.resolve(existingDir("--test", flags.test)) } : {}),
      weights: resolveWeights(flags.weights),
      ...(flags.classes ? { classes: flags.classes.split(",").map((c) => c.trim()) } : {}),
      ...(flags.limitPerClass ? { limitPerClass: flags.limitPerClass } : {}),
      ...(control.runId !== undefined ? { runId: control.runId } : {}),
    };
    const patients = flags.patients ?? path.join(info.data, "patients.csv");
    if (config.split.by !== "image" && (flags.patients || existsSync(patients))) {
      info.patients = path.resolve(patients);
    }
    runDir = await createRunDir(flags.out, config.name);
    await writeJson(path.join(runDir, "config.json"), config);
  }
  const data: DatasetSources = {
    dataDir: info.data,
    ...(info.test ? { testDir: info.test } : {}),
    ...(info.classes ? { classNames: info.classes } : {}),
    ...(info.limitPerClass ? { limitPerClass: info.limitPerClass } : {}),
    ...(info.patients ? { patients: await readPatientIds(info.patients) } : {}),
  };
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`run folder: ${runDir}`);

  return withStore(async (store) => {
    // A new run records what it trains on; so does a queued run when a worker first starts it.
    let fingerprint: string | undefined;
    if (info.runId === undefined || !flags.resume) {
      const splits = await prepareDataset(config, data);
      fingerprint = await datasetFingerprint([...splits.train, ...splits.validation, ...splits.test]);
    }
    if (info.runId === undefined) {
      const run = await createRun(store, {
        config,
        datasetFingerprint: fingerprint,
        codeVersion: codeVersion(),
        // --project and --tag were parsed but never stored.
        ...(flags.project ? { project: flags.project } : {}),
        ...(flags.tag ? { tags: flags.tag } : {}),
      });
      info.runId = run.id;
      await auditCli(store, {
        action: "run.create",
        targetType: "run",
        targetId: String(run.id),
        projectId: run.projectId,
        details: { preset: config.preset },
      });
    }
    if (!flags.resume) await writeJson(inputsFile(), info);
    const runId = info.runId;
    log(`store: run ${runId} in ${describeStore(store)}`);
    // A queued run is trained by this checkout, whatever the dashboard that queued it runs.
    await updateRunStatus(store, runId, "running", {
      ...(fingerprint ? { datasetFingerprint: fingerprint } : {}),
      ...(flags.resume ? {} : { codeVersion: codeVersion() }),
    });
    await writeRunStatus(runDir, "running", { name: config.name, preset: config.preset, runId });

    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      log("\nstopping after this batch (Ctrl-C again to quit at once)...");
      controller.abort();
    };
    process.on("SIGINT", onSigint);
    // A cancel may have come while the dataset was being checked.
    if (control.signal?.aborted) controller.abort();
    else control.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    // The dashboard shows the run's progress live from the store; a finished status clears it.
    const bar = createProgressBar();
    const recorder = createProgressRecorder((update) => updateRunProgress(store, runId, update), {
      warn: log,
    });
    try {
      const result: TrainOutcome = await train({
        config,
        data,
        weights: info.weights,
        runDir,
        ...(flags.backend ? { backend: flags.backend } : {}),
        resume: Boolean(flags.resume),
        skipBad: flags.skipBad ?? false,
        signal: controller.signal,
        onProgress: (event) => {
          bar(event);
          recorder.record(event);
        },
        onEpoch: (epoch) => recordEpoch(store, runId, epoch),
        log,
        // No progress write may land after the final status below has cleared it.
      }).finally(() => {
        recorder.stop();
        process.off("SIGINT", onSigint);
      });
      const artifacts = await writeRunArtifacts(result);
      // All or nothing; on failure the store already says "failed" and why, and so does run.json below.
      await recordTrainOutcome(store, runId, result);
      return { result, artifacts, runId };
    } catch (err) {
      const message = (err as Error).message;
      await writeRunStatus(runDir, "failed", {
        name: config.name,
        preset: config.preset,
        runId,
        error: message,
      });
      await updateRunStatus(store, runId, "failed", { message });
      throw err;
    }
  });
}
