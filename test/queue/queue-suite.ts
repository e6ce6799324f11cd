import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sharedPaths } from "@cxrlab/core/paths";
import { getRun, openStore } from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { type CliResult, parseJson, runCli } from "../helpers.ts";

const TINY = ["--preset", "quick", "--image-size", "64", "--limit-per-class", "4", "--views", "1"];

interface QueuedJob {
  id: string;
  state: string;
  retryCount: number;
  job: { kind: string; runId: number };
  output: Record<string, unknown> | null;
}
interface WorkerSummary {
  backend: string;
  completed: string[];
  failed: string[];
  cancelled: string[];
}

/**
 * The job queue as users drive it (`cxrlab queue …`, `cxrlab worker` processes training small real
 * jobs) on one kind of store: the same behaviour is expected from pg-boss and from the SQLite table.
 */
export function queueSuite(createDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  const cli = (args: string[], options: Parameters<typeof runCli>[1] = {}) =>
    runCli(args, { ...options, env: { DATABASE_URL: db.url } });
  const ok = (result: CliResult) => {
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    return result;
  };
  const addJob = async (name: string, epochs: number, extra: string[] = []) =>
    parseJson<{ jobId: string; runId: number }>(
      ok(
        await cli([
          "queue",
          "add",
          "--data",
          sharedPaths.sample(),
          ...TINY,
          "--epochs",
          `${epochs}`,
          "--name",
          name,
          ...extra,
          "--json",
        ]),
      ),
    );
  const listJobs = async () => parseJson<QueuedJob[]>(ok(await cli(["queue", "list", "--json"])));
  const withRun = async <T>(
    runId: number,
    fn: (run: NonNullable<Awaited<ReturnType<typeof getRun>>>) => T,
  ) => {
    const store = await openStore(db.url);
    try {
      const run = await getRun(store, runId);
      if (!run) throw new Error(`no run ${runId}`);
      return fn(run);
    } finally {
      await store.close();
    }
  };

  /** A run with a saved model (trained by the first test), for model jobs. */
  let trainedRun: number;

  /** Every folder the tests make (run folders of trained models: hundreds of MB), removed at the end. */
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "cxrlab-queue-"));
    db = await createDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("two workers (one running two jobs at once) run six queued training jobs, each exactly once; then evaluation and prediction jobs", async () => {
    const queued = [];
    for (let i = 1; i <= 5; i++) queued.push(await addJob(`job-${i}`, 1));
    // The training ingredients ride along on a job and reach the run's config.
    const ingredients = ["--optimizer", "adamw", "--weight-decay", "0.01", "--warmup-epochs", "0.5"];
    const more = [
      "--lr-schedule",
      "cosine",
      "--label-smoothing",
      "0.1",
      "--weight-average",
      "0.9",
      "--keep",
      "last",
    ];
    queued.push(await addJob("job-6", 1, [...ingredients, ...more]));
    for (const { runId } of queued) await withRun(runId, (run) => expect(run.status).toBe("queued"));

    const out = mkdtempSync(path.join(scratch, "out-"));
    const fingerprints = new Set<string | null>();
    const [twoAtOnce, single] = await Promise.all(
      [["--concurrency", "2"], []].map((extra) =>
        cli(["worker", "--once", "--json", "--out", out, ...extra]),
      ),
    );
    const [a, b] = [twoAtOnce!, single!].map((w) => parseJson<WorkerSummary>(ok(w))) as [
      WorkerSummary,
      WorkerSummary,
    ];
    // --concurrency 2: its second job started before its first one ended.
    const events = [
      ...twoAtOnce!.stderr.matchAll(/worker: job \S+ (?:\(train, run \d+\) )?(started|completed)/g),
    ];
    expect(events.slice(0, 2).map((m) => m[1])).toEqual(["started", "started"]);
    expect(a.failed).toEqual([]);
    expect(b.failed).toEqual([]);
    // Both workers took part, and no job went to both.
    expect(a.completed.length).toBeGreaterThan(0);
    expect(b.completed.length).toBeGreaterThan(0);
    expect([...a.completed, ...b.completed].sort()).toEqual(queued.map((q) => q.jobId).sort());

    const jobs = await listJobs();
    expect(jobs.map((j) => [j.state, j.retryCount])).toEqual(queued.map(() => ["completed", 0]));
    // One run folder per job, and each queued run trained once: one epoch, evaluated, succeeded.
    expect(readdirSync(out).sort()).toEqual(queued.map((q) => q.jobId).sort());
    for (const { jobId } of queued) expect(readdirSync(path.join(out, jobId))).toHaveLength(1);
    for (const { runId } of queued) {
      await withRun(runId, (run) => {
        expect(run.status).toBe("succeeded");
        expect(run.epochs.map((e) => e.epoch)).toEqual([1]);
        expect(run.evaluations.length).toBeGreaterThan(0);
        expect(run.backend).toBe(a.backend);
        // Recorded by the worker when it started the run: the same data gives the same fingerprint.
        expect(run.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
        fingerprints.add(run.datasetFingerprint);
      });
    }
    expect(fingerprints.size).toBe(1);
    await withRun(queued[5]!.runId, (run) => {
      expect(run.config.training).toMatchObject({
        optimizer: { type: "adamw", weightDecay: 0.01 },
        schedule: { warmupEpochs: 0.5, decay: "cosine" },
        labelSmoothing: 0.1,
        weightAverage: 0.9,
        checkpointMonitor: "last",
      });
      expect(run.bestEpoch).toBe(1);
    });

    // The first run's model, scored on a folder and run on two images, by queued jobs.
    const model = queued[0]!.runId;
    trainedRun = model;
    // A small labelled folder: two images of each class.
    const folder = mkdtempSync(path.join(scratch, "eval-"));
    const labels = readdirSync(sharedPaths.sample(), { withFileTypes: true }).filter((e) => e.isDirectory());
    for (const { name: label } of labels) {
      mkdirSync(path.join(folder, label));
      for (const name of readdirSync(path.join(sharedPaths.sample(), label)).slice(0, 2)) {
        copyFileSync(path.join(sharedPaths.sample(), label, name), path.join(folder, label, name));
      }
    }
    const images = readdirSync(path.join(folder, "COVID")).map((name) => path.join(folder, "COVID", name));
    const evaluation = parseJson<{ jobId: string; runId: number }>(
      ok(await cli(["queue", "evaluate", "--run", `${model}`, "--data", folder, "--json"])),
    );
    const prediction = parseJson<{ jobId: string; runId: number }>(
      ok(await cli(["queue", "predict", "--run", `${model}`, ...images, "--json"])),
    );
    expect([evaluation.runId, prediction.runId]).toEqual([model, model]);
    const summary = parseJson<WorkerSummary>(ok(await cli(["worker", "--once", "--json", "--out", out])));
    expect(summary.completed).toEqual([evaluation.jobId, prediction.jobId]);
    const byId = new Map((await listJobs()).map((j) => [j.id, j]));
    expect(byId.get(evaluation.jobId)).toMatchObject({ state: "completed", job: { kind: "evaluate" } });
    expect(byId.get(prediction.jobId)).toMatchObject({
      state: "completed",
      job: { kind: "predict" },
      output: { runId: model, predictions: 2, skipped: 0 },
    });
    await withRun(model, (run) => {
      // Still the finished training run, now with the folder's evaluation beside its test split's.
      expect(run.status).toBe("succeeded");
      const evaluated = run.evaluations.find((e) => e.split === `folder:${folder}`);
      expect(evaluated?.metrics.count).toBe(6);
      expect(byId.get(evaluation.jobId)?.output).toMatchObject({
        count: 6,
        accuracy: evaluated?.metrics.accuracy,
      });
    });
    // A model job for a run without a model is refused when it is queued.
    const refused = await cli(["queue", "evaluate", "--run", "99999", "--data", sharedPaths.sample()]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--run 99999: no such run");
  }, 600_000);

  it("cancel stops a running job at the next batch and keeps a queued one from starting", async () => {
    const running = await addJob("to-stop", 30);
    const waiting = await addJob("never-runs", 1);
    const cancelled = parseJson<{ was: string }>(ok(await cli(["queue", "cancel", waiting.jobId, "--json"])));
    expect(cancelled.was).toBe("created");
    await withRun(waiting.runId, (run) => expect(run.status).toBe("cancelled"));

    const out = mkdtempSync(path.join(scratch, "out-"));
    let cancel: Promise<CliResult> | undefined;
    const worker = await cli(["worker", "--json", "--out", out], {
      onStderr: (text, child) => {
        if (!cancel && /epoch 2\/30: loss/.test(text)) cancel = cli(["queue", "cancel", running.jobId]);
        if (text.includes(`job ${running.jobId} cancelled`)) child.kill("SIGTERM");
      },
    });
    expect(cancel).toBeDefined();
    ok(await cancel!);
    const summary = parseJson<WorkerSummary>(ok(worker));
    expect(summary).toMatchObject({ completed: [], failed: [], cancelled: [running.jobId] });

    await withRun(running.runId, (run) => {
      expect(run.status).toBe("cancelled");
      // Stopped early: some epochs recorded, in order, none missing, far from all 30.
      const epochs = run.epochs.map((e) => e.epoch);
      expect(epochs.length).toBeGreaterThanOrEqual(2);
      expect(epochs.length).toBeLessThan(30);
      expect(epochs).toEqual(epochs.map((_, i) => i + 1));
    });
    await withRun(waiting.runId, (run) => expect(run.epochs).toEqual([]));
    const states = Object.fromEntries((await listJobs()).map((j) => [j.id, j.state]));
    expect(states[running.jobId]).toBe("cancelled");
    expect(states[waiting.jobId]).toBe("cancelled");
  }, 600_000);

  it("cancel stops a running evaluation part-way: the job is cancelled, not failed, and nothing is recorded", async () => {
    // ~1,800 images: the job is still checking or scoring them when the cancel lands.
    const folder = sharedPaths.devTrain();
    const job = parseJson<{ jobId: string }>(
      ok(await cli(["queue", "evaluate", "--run", `${trainedRun}`, "--data", folder, "--json"])),
    );
    const out = mkdtempSync(path.join(scratch, "out-"));
    let cancel: Promise<CliResult> | undefined;
    const worker = await cli(["worker", "--json", "--out", out], {
      onStderr: (text, child) => {
        if (!cancel && text.includes(`job ${job.jobId} (evaluate`))
          cancel = cli(["queue", "cancel", job.jobId]);
        if (text.includes(`job ${job.jobId} cancelled`)) child.kill("SIGTERM");
      },
    });
    ok(await cancel!);
    expect(parseJson<WorkerSummary>(ok(worker))).toMatchObject({
      completed: [],
      failed: [],
      cancelled: [job.jobId],
    });
    expect((await listJobs()).find((j) => j.id === job.jobId)?.state).toBe("cancelled");
    await withRun(trainedRun, (run) => {
      expect(run.status).toBe("succeeded");
      expect(run.evaluations.map((e) => e.split)).not.toContain(`folder:${folder}`);
    });
  }, 600_000);

  it("cancel --run cancels a run's queued training job by the run's id, as the dashboard's API does", async () => {
    const queued = await addJob("cancelled-by-run", 1);
    const cancelled = parseJson(ok(await cli(["queue", "cancel", "--run", String(queued.runId), "--json"])));
    expect(cancelled).toEqual({ runId: queued.runId, jobIds: [queued.jobId], outcome: "cancelled" });
    await withRun(queued.runId, (run) => expect(run.status).toBe("cancelled"));
    const states = Object.fromEntries((await listJobs()).map((j) => [j.id, j.state]));
    expect(states[queued.jobId]).toBe("cancelled");
    const again = await cli(["queue", "cancel", "--run", String(queued.runId)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run ${queued.runId} is already cancelled`);
  }, 120_000);

  it("a job whose worker is killed mid-training finishes on another worker, no epoch lost or doubled", async () => {
    const job = await addJob("survives", 6);
    const out = mkdtempSync(path.join(scratch, "out-"));
    const lease = ["--lease", "3", "--out", out];
    const victim = await cli(["worker", ...lease], {
      onStderr: (text, child) => {
        if (/epoch 3\/6: loss/.test(text)) child.kill("SIGKILL");
      },
    });
    expect(victim.signal).toBe("SIGKILL");
    const before = await withRun(job.runId, (run) => run);
    expect(before.status).toBe("running");
    const logged = new Map(
      [...victim.stderr.matchAll(/epoch (\d+)\/6: loss ([\d.]+)/g)].map((m) => [Number(m[1]), m[2]]),
    );

    const survivor = await cli(["worker", "--json", ...lease], {
      onStderr: (text, child) => {
        if (text.includes(`job ${job.jobId} completed`)) child.kill("SIGTERM");
      },
    });
    const summary = parseJson<WorkerSummary>(ok(survivor));
    expect(summary.completed).toEqual([job.jobId]);
    const resumedAfter = Number(/resuming after epoch (\d+)/.exec(survivor.stderr)?.[1]);
    expect(resumedAfter).toBeGreaterThanOrEqual(2);
    expect(resumedAfter).toBeLessThan(6);

    await withRun(job.runId, (run) => {
      expect(run.status).toBe("succeeded");
      expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      // The epochs the killed worker checkpointed are kept as it recorded them, not trained again.
      for (const epoch of before.epochs.filter((e) => e.epoch <= resumedAfter)) {
        expect(epoch.loss?.toFixed(4)).toBe(logged.get(epoch.epoch));
        expect(run.epochs.find((e) => e.epoch === epoch.epoch)?.loss).toBe(epoch.loss);
      }
    });
    // Resumed in the same run folder, and the queue shows the retry.
    expect(readdirSync(path.join(out, job.jobId))).toHaveLength(1);
    const [listed] = (await listJobs()).filter((j) => j.id === job.jobId);
    expect(listed).toMatchObject({ state: "completed", retryCount: 1 });
  }, 600_000);

  it("a job that fails every attempt shows its run queued between retries, then failed and dead", async () => {
    // Its data folder disappears after queuing: every attempt fails with the same clear error.
    const data = mkdtempSync(path.join(scratch, "data-"));
    const job = parseJson<{ jobId: string; runId: number }>(
      ok(await cli(["queue", "add", "--data", data, ...TINY, "--epochs", "1", "--json"])),
    );
    rmSync(data, { recursive: true });
    const starts = new RegExp(`job ${job.jobId} \\(train, run ${job.runId}\\) started`, "g");
    let between: Promise<{ status: string; statusMessage: string | null }> | undefined;
    const out = mkdtempSync(path.join(scratch, "out-"));
    const worker = await cli(["worker", "--json", "--out", out], {
      onStderr: (text, child) => {
        // The second attempt starts: the run has waited for it as queued, with the first error.
        if (!between && [...text.matchAll(starts)].length === 2) between = withRun(job.runId, (run) => run);
        if (text.includes(`job ${job.jobId} failed for good`)) child.kill("SIGTERM");
      },
    });
    const summary = parseJson<WorkerSummary>(ok(worker));
    expect(summary.failed).toEqual([job.jobId, job.jobId, job.jobId]);
    expect(await between).toMatchObject({
      status: "queued",
      statusMessage: expect.stringContaining(`--data ${data}: no such folder`),
    });
    await withRun(job.runId, (run) => {
      expect(run.status).toBe("failed");
      expect(run.statusMessage).toBe(`--data ${data}: no such folder`);
    });
    // Dead, with its error and retries, in the list people read.
    const listed = ok(await cli(["queue", "list"])).stdout;
    expect(listed).toMatch(
      new RegExp(
        `${job.jobId}\\s+failed\\s+train\\s+run\\s+${job.runId}\\s.*retries 2\\s+--data ${data}: no such folder`,
      ),
    );
  }, 600_000);
}
