/**
 * The worker process: runs the store's queued jobs (packages/queue) until SIGTERM or Ctrl-C, which
 * stop a running job after its batch and hand it back for a retry. `cxrlab worker` runs the same.
 *
 *   cxrlab-worker [--out runs] [--lease 60] [--concurrency 1] [--backend NAME] [--once] [--json]
 */
import { parseArgs } from "node:util";
import { BACKENDS, type BackendName } from "@cxrlab/core/backend";
import { readEnv } from "@cxrlab/core/env";
import { runQueueWorker } from "@cxrlab/queue/worker";

function positiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new Error(`${flag} ${value}: expected a whole number of at least 1`);
  return Number(value);
}

function backendName(value: string | undefined): BackendName | undefined {
  if (value === undefined) return undefined;
  if (!(BACKENDS as readonly string[]).includes(value))
    throw new Error(`--backend ${value}: expected one of ${BACKENDS.join(", ")}`);
  return value as BackendName;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: "runs" },
      lease: { type: "string", default: "60" },
      concurrency: { type: "string", default: "1" },
      backend: { type: "string" },
      once: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const backend = backendName(values.backend);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    const summary = await runQueueWorker({
      out: values.out,
      lease: positiveInt("--lease", values.lease),
      concurrency: positiveInt("--concurrency", values.concurrency),
      once: values.once,
      ...(backend ? { backend } : {}),
      signal: stop.signal,
    });
    if (values.json) console.log(JSON.stringify(summary));
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

try {
  await main();
} catch (err) {
  console.error(`cxrlab-worker: ${(err as Error).message}`);
  if (readEnv().CXRLAB_DEBUG) console.error((err as Error).stack);
  process.exit(1);
}
