import { readdirSync } from "node:fs";
import path from "node:path";
import { describeBackend, selectBackend } from "@cxrlab/core/backend/select";
import { hasCheckpoint } from "@cxrlab/core/train/trainer";
import { updateRunStatus } from "@cxrlab/db";
import { type JobRunner, openQueue, runWorker } from "@cxrlab/trainer";
import type { Command } from "commander";
import { backendName, positiveInt } from "../options.ts";
import { withStore } from "../store.ts";
import { runTraining } from "./train.ts";

interface WorkerFlags {
  once?: boolean;
  out: string;
  lease: number;
  backend?: Parameters<typeof selectBackend>[0];
  json?: boolean;
}

/** The newest run folder under `dir` with a finished epoch, if any. */
function lastCheckpointedRun(dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  return names
    .map((name) => path.join(dir, name))
    .filter(hasCheckpoint)
    .at(-1);
}

/**
 * Trains a queued run through the same code path as `cxrlab train`, in a folder named after the
 * job: a retried job (its worker died) resumes from the last epoch checkpointed there.
 */
function trainRunner(flags: WorkerFlags): JobRunner {
  return async (job, context) => {
    const out = path.join(flags.out, context.id);
    const resume = lastCheckpointedRun(out);
    if (resume) context.log(`worker: resuming job ${context.id} from ${resume}`);
    const { result, runId } = await runTraining(
      {
        ...job.options,
        out,
        ...(resume ? { resume } : {}),
        ...(flags.backend ? { backend: flags.backend } : {}),
      },
      { signal: context.signal, runId: job.runId },
    );
    if (context.cancelled()) {
      await withStore((store) =>
        updateRunStatus(store, runId, "cancelled", {
          message: `cancelled after ${result.history.length} epoch(s)`,
        }),
      );
    }
    return { runId, runDir: result.runDir, status: result.status, backend: result.backend.name };
  };
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("run queued jobs (PostgreSQL store); several workers on several machines share one queue")
    .option("--once", "run what is queued, then exit")
    .option(
      "--out <dir>",
      "folder that holds run folders, one sub-folder per job (share it between machines so a job resumes anywhere)",
      "runs",
    )
    .option(
      "--lease <seconds>",
      "a job whose worker has not checked in for this long is retried elsewhere",
      positiveInt,
      60,
    )
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--json", "print a summary of the jobs run as JSON on stdout")
    .action(async (flags: WorkerFlags) => {
      const url = await withStore(async (store) => store.target.url);
      const queue = await openQueue(url, { maintenanceSeconds: flags.lease });
      // Said once up front: every job this worker runs trains on it.
      const backend = await selectBackend(flags.backend);
      process.stderr.write(`worker: backend ${describeBackend(backend)}\n`);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        const summary = await runWorker({
          queue,
          run: trainRunner(flags),
          once: flags.once ?? false,
          leaseSeconds: flags.lease,
          signal: stop.signal,
        });
        if (flags.json) console.log(JSON.stringify({ backend: backend.name, ...summary }));
      } finally {
        await queue.close();
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });
}
