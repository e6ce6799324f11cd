import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { isLoopbackHost, publicOrigins } from "@cxrlab/api/http";
import { readEnv } from "@cxrlab/core/env";
import { describeStore, getRun, withStore } from "@cxrlab/db";
import { runQueueWorker } from "@cxrlab/queue/worker";
import { type Command, Option } from "commander";
import { buildDashboard, dashboardBuildStaleness, exitOf, nextEnv, WEB_DIR } from "../dashboard-build.ts";
import { forwardLoopback } from "../loopback-twin.ts";
import { nonNegativeInt, positiveInt } from "../options.ts";

export const DEFAULT_PORT = 3000;
const READY_TIMEOUT_MS = 120_000;

export interface ServeOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Print the URL of this run's page. */
  runId?: number;
  /** Take any free port when `port` is busy instead of failing (for a default the user did not choose). */
  anyPortIfBusy?: boolean;
  json?: boolean;
  /** Where the URL line goes (the demo's --json keeps stdout for its result). */
  out?: NodeJS.WritableStream;
  /**
   * On a SQLite store, run queued jobs in this process (run folders under `out`), so runs queued
   * from the dashboard execute without a separate `cxrlab worker`.
   */
  worker?: { out?: string };
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description(
      "serve the dashboard over the experiment store (builds apps/web first when its build is missing or stale)",
    )
    .addOption(
      new Option("--port <n>", "port to listen on (0: any free port)")
        .argParser(nonNegativeInt)
        .default(DEFAULT_PORT),
    )
    .option(
      "--host <host>",
      "address to listen on (0.0.0.0: every interface, which needs CXRLAB_PUBLIC_URL: the address browsers use)",
      "127.0.0.1",
    )
    .option("--run <id>", "print the URL of this run's page", positiveInt)
    .option("--json", "print {url, port, database} as JSON on stdout once the dashboard answers")
    .option("--no-worker", "do not run queued jobs in this process (SQLite store)")
    .option(
      "--out <dir>",
      "folder for the run folders of jobs the in-process worker trains (default: runs/ beside the SQLite file)",
    )
    .action(
      async (flags: {
        port: number;
        host: string;
        run?: number;
        json?: boolean;
        worker: boolean;
        out?: string;
      }) => {
        await serveDashboard({
          host: flags.host,
          port: flags.port,
          ...(flags.run !== undefined ? { runId: flags.run } : {}),
          json: flags.json ?? false,
          ...(flags.worker ? { worker: flags.out ? { out: flags.out } : {} } : {}),
        });
      },
    );
}

/**
 * Serves the production build of apps/web with DATABASE_URL pointing at the CLI's store, prints its
 * URL once it answers and keeps serving until SIGINT/SIGTERM, which it passes on to the server.
 */
export async function serveDashboard(options: ServeOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { databaseUrl, where, file } = await withStore(async (store) => {
    if (options.runId !== undefined && !(await getRun(store, options.runId))) {
      throw new Error(`--run ${options.runId}: no such run in ${describeStore(store)}`);
    }
    return { databaseUrl: store.target.url, where: describeStore(store), file: store.target.file };
  });
  const addr = addressing(options.host);
  const port = await choosePort(addr.listen, options.port, options.anyPortIfBusy ?? false);
  if (port !== options.port && options.port !== 0) log(`serve: port ${options.port} is busy, using ${port}`);
  const stale = dashboardBuildStaleness();
  if (stale) {
    log(`serve: ${stale}; building the dashboard first (next build, a minute or two)...`);
    await buildDashboard();
  }

  log(`serve: starting the dashboard on ${where}...`);
  // apps/web/server.mjs rather than `next start`: it sets the client address from the connection.
  const trustedProxies = readEnv().CXRLAB_TRUSTED_PROXIES ?? [];
  const server = spawn(
    process.execPath,
    [
      path.join(WEB_DIR, "server.mjs"),
      ...["--port", String(port), "--hostname", addr.listen],
      ...["--trusted-proxies", trustedProxies.join(",")],
    ],
    { cwd: WEB_DIR, env: nextEnv({ DATABASE_URL: databaseUrl }), stdio: ["ignore", "pipe", "pipe"] },
  );
  // Next logs request errors on both streams; all of it is diagnostics, so it goes to stderr.
  const output = new OutputTail();
  for (const stream of [server.stdout, server.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      output.push(chunk);
    });
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    server.kill(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const exited = exitOf(server);
  const polling = new AbortController();
  const worker = options.worker ? startWorker(options.worker, file, log) : undefined;
  const closeTwin = addr.twin
    ? await forwardLoopback({ host: addr.twin, port }, { host: addr.listen, port }, log)
    : null;
  try {
    const local = `http://${urlHost(reachableHost(addr.listen))}:${port}`;
    const base = addr.publicOrigin ?? `http://${urlHost(addr.listen)}:${port}`;
    const ready = await Promise.race([waitUntilAnswering(local, polling.signal), exited.then(() => false)]);
    if (!ready && !stopping) {
      throw new Error(`the dashboard server stopped before it answered:\n${output.text()}`);
    }
    if (ready) {
      const url = options.runId !== undefined ? `${base}/runs/${options.runId}` : base;
      const out = options.out ?? process.stdout;
      out.write(
        options.json
          ? `${JSON.stringify({ url, port, database: where })}\n`
          : `\nCXR Lab dashboard: ${url}\n(Ctrl-C to stop)\n`,
      );
    }
    const { code, signal } = await exited;
    if (!stopping) {
      throw new Error(`the dashboard server stopped (${signal ?? `exit code ${code}`}):\n${output.text()}`);
    }
  } finally {
    polling.abort();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await Promise.all([worker?.stop(), closeTwin?.()]);
  }
}

/**
 * The dashboard's own worker on a SQLite store (a PostgreSQL store has `cxrlab worker` processes).
 * Its failure is reported but does not stop the dashboard.
 */
function startWorker(options: { out?: string }, storeFile: string | undefined, log: (line: string) => void) {
  if (!storeFile) {
    log("serve: PostgreSQL store: queued jobs run on `cxrlab worker` processes");
    return undefined;
  }
  const out = options.out ?? path.join(path.dirname(storeFile), "runs");
  log(`serve: running queued jobs in this process (run folders in ${out}; --no-worker to turn off)`);
  const stopping = new AbortController();
  const done = runQueueWorker({ out, lease: 60, signal: stopping.signal }).then(
    (summary) =>
      log(
        `serve: worker stopped (${summary.completed.length} job(s) completed, ${summary.failed.length} failed)`,
      ),
    (err: Error) => log(`serve: the worker stopped: ${err.message}`),
  );
  return {
    /** Stops the running job after its batch (it is failed for a retry) and waits for that. */
    stop: async () => {
      stopping.abort();
      await done;
    },
  };
}

/** The port to hand to Next, checked free first so a busy one gives a clear error, not a stack trace. */
async function choosePort(host: string, port: number, anyPortIfBusy: boolean): Promise<number> {
  try {
    return await listenOnce(host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" && anyPortIfBusy) return listenOnce(host, 0);
    if (code === "EADDRINUSE") {
      throw new Error(
        `port ${port} on ${host} is already in use (another server, or a dashboard already running?); ` +
          "pass --port N to choose another, or --port 0 for any free port",
      );
    }
    if (code === "EACCES") throw new Error(`port ${port} on ${host}: permission denied; pick one above 1023`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      throw new Error(`--host ${host}: not an address of this machine`);
    }
    throw err;
  }
}

function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen({ host, port, exclusive: true }, () => {
      const bound = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(bound));
    });
  });
}

/**
 * Resolves true once the server answers any HTTP request (the first page render is not awaited),
 * false when `cancel` fires first.
 */
async function waitUntilAnswering(base: string, cancel: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!cancel.aborted) {
    try {
      await fetch(base, {
        redirect: "manual",
        signal: AbortSignal.any([cancel, AbortSignal.timeout(5_000)]),
      });
      return true;
    } catch (err) {
      if (cancel.aborted) break;
      if (Date.now() > deadline) {
        throw new Error(
          `the dashboard did not answer at ${base} within ${READY_TIMEOUT_MS / 1000} s: ${err}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

/**
 * Where Next listens and where the dashboard is printed. Sign-in trusts exactly the printed
 * addresses (packages/api/src/http/origins.ts): on a loopback host, the served port's loopback
 * spellings, which a twin listener on the other address family makes reachable; elsewhere the
 * origins of CXRLAB_PUBLIC_URL, without which a network server would refuse every sign-in.
 */
function addressing(host: string): { listen: string; twin?: string; publicOrigin?: string } {
  const publicOrigin = publicOrigins()?.[0];
  const listen = host === "localhost" ? "127.0.0.1" : host.replace(/^\[(.*)\]$/, "$1");
  if (publicOrigin) return { listen, publicOrigin };
  if (!isLoopbackHost(host)) {
    throw new Error(
      `--host ${host} serves other machines, and sign-in is accepted only at the addresses their browsers use: ` +
        "set CXRLAB_PUBLIC_URL to them (e.g. CXRLAB_PUBLIC_URL=http://cxrlab.example.org:3000; several comma-separated, " +
        "the first is printed), or leave out --host to serve this machine only",
    );
  }
  const twin = { "127.0.0.1": "::1", "::1": "127.0.0.1" }[listen];
  return twin ? { listen, twin } : { listen };
}

/** An address to reach a server listening on `host` from this machine (a wildcard by loopback). */
function reachableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  return host === "::" ? "::1" : host;
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** The last lines a child printed, for the error when it dies. */
class OutputTail {
  private chunks: string[] = [];
  push(chunk: Buffer): void {
    this.chunks.push(chunk.toString());
    if (this.chunks.length > 40) this.chunks.shift();
  }
  text(): string {
    return this.chunks.join("").trimEnd();
  }
}
