import { existsSync } from "node:fs";
import path from "node:path";
import { createRun, updateRunStatus } from "@cxrlab/db";
import { openQueue, type QueuedJob, trainJobSchema } from "@cxrlab/trainer";
import type { Command } from "commander";
import { codeVersion, withStore } from "../store.ts";
import { addTrainOptions, configFromFlags, type TrainFlags } from "./train.ts";

const FINISHED_JOB_STATES = ["completed", "failed", "cancelled"];

function jobLine(q: QueuedJob): string {
  const when = q.createdOn.toISOString().slice(0, 16).replace("T", " ");
  const error = q.state === "failed" || q.state === "retry" ? `  ${errorOf(q.output) ?? ""}` : "";
  return `${q.id}  ${q.state.padEnd(9)} ${q.job.kind.padEnd(6)} run ${String(q.job.runId).padStart(5)}  ${when}  retries ${q.retryCount}${error}`;
}

function errorOf(output: unknown): string | null {
  return output && typeof output === "object" && "message" in output ? String(output.message) : null;
}

export function registerQueueCommand(program: Command): void {
  const queue = program
    .command("queue")
    .description("queue experiments for `cxrlab worker` processes (PostgreSQL store)");

  addTrainOptions(
    queue
      .command("add")
      .description("queue a training run for a worker (`cxrlab train` options; --out is the worker's)"),
    {
      preset: "reference",
    },
  ).action(async (flags: TrainFlags) => {
    const { out: _out, resume, json, ...options } = flags;
    if (resume) throw new Error("--resume: resume a run with `cxrlab train --resume RUN_DIR`");
    if (!options.data) throw new Error("--data <dir> is required: a folder with one sub-folder per class");
    // Paths are resolved here; workers on other machines must see the same ones.
    const jobOptions = trainJobSchema.shape.options.parse({
      ...options,
      data: path.resolve(options.data),
      ...(options.test ? { test: path.resolve(options.test) } : {}),
      ...(options.patients ? { patients: path.resolve(options.patients) } : {}),
      // --weights may also be "none" or a URL.
      ...(options.weights && existsSync(options.weights) ? { weights: path.resolve(options.weights) } : {}),
    });
    const config = configFromFlags(flags);
    const queued = await withStore(async (store) => {
      const jobs = await openQueue(store.target.url);
      try {
        const run = await createRun(store, {
          config,
          codeVersion: codeVersion(),
          ...(flags.project ? { project: flags.project } : {}),
          ...(flags.tag ? { tags: flags.tag } : {}),
        });
        const jobId = await jobs.enqueue({ kind: "train", runId: run.id, options: jobOptions });
        return { jobId, runId: run.id };
      } finally {
        await jobs.close();
      }
    });
    if (json) console.log(JSON.stringify(queued));
    else console.log(`queued job ${queued.jobId} (run ${queued.runId})`);
  });

  queue
    .command("list")
    .description("queued, running, finished and dead jobs, oldest first")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const jobs = await withStore(async (store) => {
        const q = await openQueue(store.target.url);
        try {
          return await q.list();
        } finally {
          await q.close();
        }
      });
      if (flags.json) console.log(JSON.stringify(jobs));
      else if (jobs.length === 0) console.log("no jobs");
      else for (const j of jobs) console.log(jobLine(j));
    });

  queue
    .command("cancel")
    .description("cancel a job: a queued one never starts, a running one stops after its batch")
    .argument("<id>", "job id (from `cxrlab queue list`)")
    .option("--json", "print JSON")
    .action(async (id: string, flags: { json?: boolean }) => {
      const state = await withStore(async (store) => {
        const q = await openQueue(store.target.url);
        try {
          const job = await q.get(id);
          if (!job) throw new Error(`no job ${id} in the queue`);
          if (FINISHED_JOB_STATES.includes(job.state)) throw new Error(`job ${id} is already ${job.state}`);
          await q.cancel(id);
          // A running job's worker marks its run cancelled once training has stopped.
          if (job.state !== "active") {
            await updateRunStatus(store, job.job.runId, "cancelled", {
              message: "cancelled before it started",
            });
          }
          return { id, runId: job.job.runId, was: job.state };
        } finally {
          await q.close();
        }
      });
      if (flags.json) console.log(JSON.stringify(state));
      else console.log(`cancelled job ${id} (run ${state.runId}, was ${state.was})`);
    });
}
