import { existsSync } from "node:fs";
import path from "node:path";
import type { BackendName } from "@cxrlab/core/backend";
import type { ExperimentConfig } from "@cxrlab/core/config";
import { experimentConfigSchema } from "@cxrlab/core/config";
import { datasetFingerprint, readPatientIds } from "@cxrlab/core/data";
import { sharedPaths } from "@cxrlab/core/paths";
import { createRunDir, readJson, writeJson, writeRunArtifacts, writeRunStatus } from "@cxrlab/core/run";
import { type DatasetSources, prepareDataset, type TrainOutcome, train } from "@cxrlab/core/train";
import type { ProgressEvent } from "@cxrlab/core/train/progress";
import { configFromOverrides, type TrainOverrides } from "@cxrlab/core/train-overrides";
import {
  codeVersion,
  createRun,
  DEFAULT_PROJECT,
  describeStore,
  recordEpoch,
  recordTrainOutcome,
  type Store,
  updateRunProgress,
  updateRunStatus,
  withStore,
} from "@cxrlab/db";
import { trainingOverrides } from "../jobs.ts";
import { createProgressRecorder } from "../progress-recorder.ts";
import { datasetTrainingFolder } from "./dataset-source.ts";
import { existingDir } from "./existing-dir.ts";

/** What a training run takes: the config overrides (core's one schema of them) and the run's inputs. */
export interface TrainRequest extends TrainOverrides {
  preset: string;
  data?: string;
  /** A dataset version of the project, NAME@VERSION, instead of `data` (split by patient by default). */
  dataset?: string;
  test?: string;
  weights?: string;
  patients?: string;
  classes?: string;
  limitPerClass?: number;
  project?: string;
  tag?: string[];
  /** Folder that holds run folders. */
  out: string;
  backend?: BackendName;
  /** A run folder to continue from its last finished epoch. */
  resume?: string;
  skipBad?: boolean;
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
  /** The dataset version `data` lays out. */
  datasetVersionId?: number;
  /** The run's id in the experiment store. */
  runId?: number;
}

export interface TrainingControl {
  /** Stops training after the current batch, like Ctrl-C (used by queue workers on cancel). */
  signal?: AbortSignal;
  /** A run already in the store (queued) to fill in instead of creating one. */
  runId?: number;
  /** Told each progress event (a terminal progress bar); the store gets them in any case. */
  onProgress?: (event: ProgressEvent) => void;
  /** Records who created a new run (the CLI's audit entry); not called for a run given by runId. */
  audit?: (store: Store, event: RunCreatedAudit) => Promise<void>;
  /**
   * Installed while training runs (the CLI's Ctrl-C handler): may abort `controller` to stop
   * after the current batch; returns what uninstalls it.
   */
  interrupt?: (controller: AbortController, log: (line: string) => void) => () => void;
}

/** The audit entry of a run `runTraining` created. */
export interface RunCreatedAudit {
  action: "run.create";
  targetType: "run";
  targetId: string;
  projectId: number | null;
  details: { preset: string };
}

/** The dataset version `--dataset` names, laid out and checked; refuses the flags it replaces. */
async function datasetInputs(flags: TrainRequest, ref: string) {
  if (flags.data) throw new Error("--data and --dataset: give one of them");
  if (flags.patients) throw new Error("--patients: a dataset version carries its images' patients");
  return withStore((store) => datasetTrainingFolder(store, flags.project ?? DEFAULT_PROJECT, ref));
}

/**
 * Trains as the flags say (or resumes a run), writes the run folder and records the run in the
 * experiment store as it goes: the run at start, each epoch when it finishes, then the test
 * evaluation, one prediction per test image and the final status (all at once). A failure of the
 * training, its artifacts or that recording marks the run failed, with why, in its folder and the store.
 */
export async function runTraining(flags: TrainRequest, control: TrainingControl = {}) {
  let config: ExperimentConfig;
  let runDir: string;
  let info: RunInfo;
  const inputsFile = () => path.join(runDir, "inputs.json");
  if (flags.resume) {
    runDir = existingDir("--resume", flags.resume);
    config = experimentConfigSchema.parse(await readJson(path.join(runDir, "config.json"), "run config"));
    info = await readJson<RunInfo>(inputsFile(), "run inputs");
  } else {
    const dataset = flags.dataset ? await datasetInputs(flags, flags.dataset) : undefined;
    if (!flags.data && !dataset)
      throw new Error(
        "--data <dir> is required: a folder with one sub-folder per class (or --dataset NAME@VERSION)",
      );
    config = configFromOverrides(flags.preset, trainingOverrides(flags));
    info = {
      data: dataset?.dir ?? path.resolve(existingDir("--data", flags.data!)),
      ...(dataset ? { patients: dataset.patients, datasetVersionId: dataset.versionId } : {}),
      ...(flags.test ? { test: path.resolve(existingDir("--test", flags.test)) } : {}),
      weights: resolveWeights(flags.weights),
      ...(flags.classes ? { classes: flags.classes.split(",").map((c) => c.trim()) } : {}),
      ...(flags.limitPerClass ? { limitPerClass: flags.limitPerClass } : {}),
      ...(control.runId !== undefined ? { runId: control.runId } : {}),
    };
    const patients = flags.patients ?? path.join(info.data, "patients.csv");
    if (!dataset && config.split.by !== "image" && (flags.patients || existsSync(patients))) {
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
        ...(info.datasetVersionId ? { datasetVersionId: info.datasetVersionId } : {}),
        codeVersion: codeVersion(),
        // --project and --tag were parsed but never stored.
        ...(flags.project ? { project: flags.project } : {}),
        ...(flags.tag ? { tags: flags.tag } : {}),
      });
      info.runId = run.id;
      await control.audit?.(store, {
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
    const releaseInterrupt = control.interrupt?.(controller, log);
    // A cancel may have come while the dataset was being checked.
    if (control.signal?.aborted) controller.abort();
    else control.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    // The dashboard shows the run's progress live from the store; a finished status clears it.
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
          control.onProgress?.(event);
          recorder.record(event);
        },
        onEpoch: (epoch) => recordEpoch(store, runId, epoch),
        log,
        // No progress write may land after the final status below has cleared it.
      }).finally(() => {
        recorder.stop();
        releaseInterrupt?.();
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
