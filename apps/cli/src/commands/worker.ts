import type { BackendName } from "@cxrlab/core/backend";
import { runQueueWorker } from "@cxrlab/queue/worker";
import type { Command } from "commander";
import { backendName, positiveInt } from "../options.ts";

interface WorkerFlags {
  once?: boolean;
  out: string;
  lease: number;
  concurrency: number;
  backend?: BackendName;
  json?: boolean;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "run queued jobs; several workers share one queue (PostgreSQL: on several machines, SQLite: on this one)",
    )
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
    .option("--concurrency <n>", "jobs run at once in this process", positiveInt, 1)
    .option("--backend <name>", "force a TensorFlow.js backend", backendName)
    .option("--json", "print a summary of the jobs run as JSON on stdout")
    .action(async (flags: WorkerFlags) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        const summary = await runQueueWorker({ ...flags, signal: stop.signal });
        if (flags.json) console.log(JSON.stringify(summary));
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });
}
