import { existsSync } from "node:fs";
import path from "node:path";
import { type CancelledRun, cancelAuditEntry, cancelRun } from "@cxrlab/api/queue";
import {
  codeVersion,
  createRun,
  DEFAULT_PROJECT,
  findDatasetVersion,
  getRun,
  runModel,
  type Store,
  updateRunStatus,
  withStore,
} from "@cxrlab/db";
import {
  errorMessage,
  type Job,
  type JobQueue,
  openQueue,
  type QueuedJob,
  trainJobSchema,
} from "@cxrlab/queue";
import { existingDir } from "@cxrlab/queue/runners";
import { parseDatasetRef } from "@cxrlab/validators/datasets";
import type { Command } from "commander";
import { auditCli } from "../cli-audit.ts";
import { positiveInt } from "../options.ts";
import { REMOTE_OPTION } from "../records.ts";
import { cancelRunRemotely, queueRunRemotely, refuseLocalOnlyOptions } from "../remote-queue.ts";
import { flagsPerSeed, seedBatchTag, seedsOption } from "../seed-batch.ts";
import { addTrainOptions, configFromFlags, type TrainFlags } from "./train.ts";

const FINISHED_JOB_STATES = ["completed", "failed", "cancelled"];

function jobLine(q: QueuedJob): string {
  const when = q.createdOn.toISOString().slice(0, 16).replace("T", " ");
  const error = q.state === "failed" || q.state === "retry" ? `  ${errorMessage(q.output) ?? ""}` : "";
  return `${q.id}  ${q.state.padEnd(9)} ${q.job.kind.padEnd(8)} run ${String(q.job.runId).padStart(5)}  ${when}  retries ${q.retryCount}${error}`;
}

/** Runs `fn` on the store's job queue, closed afterwards. */
async function withQueue<T>(store: Store, fn: (queue: JobQueue) => Promise<T>): Promise<T> {
  const queue = await openQueue(store);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

/** Queues `job` in the store's queue and returns its id. */
function enqueue(store: Store, job: Job): Promise<string> {
  return withQueue(store, (queue) => queue.enqueue(job));
}

/** Cancels the training job(s) of a queued or running run in the local store, as the API's runs.cancel does. */
function cancelLocalRun(runId: number): Promise<CancelledRun> {
  return withStore(async (store) => {
    const run = await getRun(store, runId);
    if (!run) throw new Error(`--run ${runId}: no such run in the store`);
    const cancelled = await withQueue(store, (queue) => cancelRun(store, queue, run));
    await auditCli(store, cancelAuditEntry(run, cancelled));
    return cancelled;
  });
}

function printCancelledRun(cancelled: CancelledRun, json: boolean | undefined): void {
  const jobs = cancelled.jobIds.length > 0 ? ` (job ${cancelled.jobIds.join(", ")})` : "";
  if (json) console.log(JSON.stringify(cancelled));
  else if (cancelled.outcome === "cancelled") console.log(`cancelled run ${cancelled.runId}${jobs}`);
  else console.log(`run ${cancelled.runId} stops after its current batch${jobs}`);
}

/** Creates the run (status queued) that `flags` train and queues its job; paths as the workers see them. */
async function queueTrainRun(
  store: Store,
  flags: TrainFlags & { remote?: boolean },
): Promise<{ jobId: string; runId: number }> {
  const { out: _out, resume: _resume, json: _json, remote: _remote, seeds: _seeds, ...options } = flags;
  const project = flags.project ?? DEFAULT_PROJECT;
  const dataset = flags.dataset
    ? await findDatasetVersion(store, project, parseDatasetRef(flags.dataset))
    : null;
  if (flags.dataset && !dataset)
    throw new Error(`--dataset ${flags.dataset}: no such dataset version in project "${project}"`);
  // Paths are resolved here; workers on other machines must see the same ones.
  const jobOptions = trainJobSchema.shape.options.parse({
    ...options,
    ...(options.data ? { data: path.resolve(options.data) } : {}),
    ...(dataset ? { project } : {}),
    ...(options.test ? { test: path.resolve(options.test) } : {}),
    ...(options.patients ? { patients: path.resolve(options.patients) } : {}),
    // --weights may also be "none" or a URL.
    ...(options.weights && existsSync(options.weights) ? { weights: path.resolve(options.weights) } : {}),
  });
  const config = configFromFlags(flags);
  const run = await createRun(store, {
    config,
    codeVersion: codeVersion(),
    ...(dataset ? { datasetVersionId: dataset.id } : {}),
    ...(flags.project ? { project: flags.project } : {}),
    ...(flags.tag ? { tags: flags.tag } : {}),
  });
  // origin "cli": made with the store's own credentials, so the worker trusts its folders.
  const jobId = await enqueue(store, { kind: "train", runId: run.id, origin: "cli", options: jobOptions });
  await auditCli(store, {
    action: "run.create",
    targetType: "run",
    targetId: String(run.id),
    projectId: run.projectId,
    details: { jobId, preset: config.preset },
  });
  return { jobId, runId: run.id };
}

/** Checks, when queuing, that the run a model job uses has a saved model. */
async function requireModel(store: Store, runId: number): Promise<void> {
  const run = await runModel(store, runId);
  if (!run) throw new Error(`--run ${runId}: no such run in the store`);
  if (!run.modelLocation) throw new Error(`--run ${runId} (${run.name}): the run has no saved model`);
}

interface ModelJobFlags {
  run: number;
  batchSize?: number;
  skipBad?: boolean;
  json?: boolean;
}

/** The options `queue evaluate` and `queue predict` share. */
function addModelJobOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--run <id>", "the training run whose model to use", positiveInt)
    .option("--batch-size <n>", "images per forward pass", positiveInt)
    .option("--skip-bad", "leave unreadable images out instead of failing the job")
    .option("--json", "print {jobId, runId} as JSON");
}

function printQueued(queued: { jobId: string; runId: number }, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify(queued));
  else console.log(`queued job ${queued.jobId} (run ${queued.runId})`);
}

export function registerQueueCommand(program: Command): void {
  const queue = program
    .command("queue")
    .description("queue training, evaluation and prediction jobs for `cxrlab worker` processes");

  addTrainOptions(
    queue
      .command("add")
      .description("queue a training run for a worker (`cxrlab train` options; --out is the worker's)")
      .option(...REMOTE_OPTION)
      .addOption(seedsOption()),
    {
      preset: "reference",
    },
  ).action(async (flags: TrainFlags & { remote?: boolean }, cmd: Command) => {
    const { resume, json, remote, seeds } = flags;
    if (remote) refuseLocalOnlyOptions(cmd);
    if (resume) throw new Error("--resume: resume a run with `cxrlab train --resume RUN_DIR`");
    if (!flags.data && !flags.dataset)
      throw new Error(
        "--data <dir> is required: a folder with one sub-folder per class (or --dataset NAME@VERSION)",
      );
    if (remote) {
      printQueued(await queueRunRemotely(flags, cmd), json);
      return;
    }
    if (!seeds) {
      printQueued(await withStore((store) => queueTrainRun(store, flags)), json);
      return;
    }
    const tag = seedBatchTag();
    const jobs = await withStore(async (store) => {
      const queued = [];
      for (const runFlags of flagsPerSeed(flags, seeds, tag)) {
        queued.push({ seed: runFlags.seed, ...(await queueTrainRun(store, runFlags)) });
      }
      return queued;
    });
    if (json) console.log(JSON.stringify({ tag, jobs }));
    else
      for (const job of jobs)
        console.log(`queued job ${job.jobId} (run ${job.runId}, seed ${job.seed}, tag ${tag})`);
  });

  addModelJobOptions(
    queue
      .command("evaluate")
      .description("queue an evaluation of a run's model on a labelled folder (recorded under the run)")
      .requiredOption("--data <dir>", "folder with one sub-folder per class"),
  ).action(async (flags: ModelJobFlags & { data: string }) => {
    const { run: runId, data, json, ...options } = flags;
    const job: Job = {
      kind: "evaluate",
      runId,
      origin: "cli",
      options: { ...options, data: path.resolve(existingDir("--data", data)) },
    };
    const queued = await withStore(async (store) => {
      await requireModel(store, runId);
      return { jobId: await enqueue(store, job), runId };
    });
    printQueued(queued, json);
  });

  addModelJobOptions(
    queue
      .command("predict")
      .description("queue predictions of a run's model for image files and folders (recorded under the run)")
      .argument("<paths...>", "image files or folders"),
  ).action(async (paths: string[], flags: ModelJobFlags) => {
    const { run: runId, json, ...options } = flags;
    for (const p of paths) if (!existsSync(p)) throw new Error(`${p}: no such image file or folder`);
    const job: Job = {
      kind: "predict",
      runId,
      origin: "cli",
      options: { ...options, inputs: paths.map((p) => path.resolve(p)) },
    };
    const queued = await withStore(async (store) => {
      await requireModel(store, runId);
      return { jobId: await enqueue(store, job), runId };
    });
    printQueued(queued, json);
  });

  queue
    .command("list")
    .description("queued, running, finished and dead jobs, oldest first")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const jobs = await withStore((store) => withQueue(store, (q) => q.list()));
      if (flags.json) console.log(JSON.stringify(jobs));
      else if (jobs.length === 0) console.log("no jobs");
      else for (const j of jobs) console.log(jobLine(j));
    });

  queue
    .command("cancel")
    .description("cancel a job: a queued one never starts, a running one stops after its batch")
    .argument("[id]", "job id (from `cxrlab queue list`)")
    .option(
      "--run <id>",
      "cancel the training job(s) of this run instead (the form --remote takes)",
      positiveInt,
    )
    .option("--json", "print JSON")
    .option(...REMOTE_OPTION)
    .action(async (id: string | undefined, flags: { run?: number; json?: boolean; remote?: boolean }) => {
      if (flags.run !== undefined) {
        if (id !== undefined) throw new Error(`give job ${id} or --run ${flags.run}, not both`);
        const cancel = flags.remote ? cancelRunRemotely : cancelLocalRun;
        printCancelledRun(await cancel(flags.run), flags.json);
        return;
      }
      // The dashboard's API cancels runs, not single jobs.
      if (flags.remote)
        throw new Error("--remote cancels by run: `cxrlab queue cancel --remote --run <run id>`");
      if (id === undefined) throw new Error("give the job id (from `cxrlab queue list`) or --run <run id>");
      const state = await withStore((store) =>
        withQueue(store, async (q) => {
          const job = await q.get(id);
          if (!job) throw new Error(`no job ${id} in the queue`);
          if (FINISHED_JOB_STATES.includes(job.state)) throw new Error(`job ${id} is already ${job.state}`);
          await q.cancel(id);
          await auditCli(store, {
            action: "run.cancel",
            targetType: "run",
            targetId: String(job.job.runId),
            details: { jobId: id, kind: job.job.kind, was: job.state },
          });
          // A running job's worker marks its run cancelled once training has stopped; evaluation
          // and prediction jobs use a finished run, which stays as it is.
          if (job.state !== "active" && job.job.kind === "train") {
            await updateRunStatus(store, job.job.runId, "cancelled", {
              message: "cancelled before it started",
            });
          }
          return { id, runId: job.job.runId, was: job.state };
        }),
      );
      if (flags.json) console.log(JSON.stringify(state));
      else console.log(`cancelled job ${id} (run ${state.runId}, was ${state.was})`);
    });
}
