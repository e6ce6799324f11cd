import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sharedQueue } from "@cxrlab/api/queue";
import { configFromOverrides } from "@cxrlab/core/train-overrides";
import {
  createDatasetVersion,
  createRun,
  getRun,
  migrate,
  openStore,
  type Store,
  updateRunStatus,
} from "@cxrlab/db";
import type { Job, JobQueue } from "@cxrlab/queue";
import { confineQueuedJob } from "@cxrlab/queue";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";

/** runs.create and runs.cancel against a real store and its real job queue. */
export function runQueueSuite(factory: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let queue: JobQueue;
  let projectId: number;
  const accounts = {} as Record<"viewer" | "researcher" | "admin", TestAccount>;
  const callers = {} as Record<keyof typeof accounts, Awaited<ReturnType<typeof callerAs>>>;

  // The folders a run queued from the dashboard may read (CXRLAB_DATA_ROOTS), and one beside them.
  const base = mkdtempSync(path.join(os.tmpdir(), "run-queue-"));
  const dataRoot = path.join(base, "datasets");
  const outside = path.join(base, "thumbnails");

  beforeAll(async () => {
    for (const dir of ["Train", "Test"]) mkdirSync(path.join(dataRoot, dir), { recursive: true });
    mkdirSync(path.join(outside, "ab"), { recursive: true });
    // A link inside the root that leads out of it.
    symlinkSync(outside, path.join(dataRoot, "cache"));
    vi.stubEnv("CXRLAB_DATA_ROOTS", dataRoot);
    db = await factory();
    store = await openStore(db.url);
    await migrate(store);
    for (const role of ["viewer", "researcher", "admin"] as const) {
      accounts[role] = await testAccount(store, role, ["lab"]);
      callers[role] = await callerAs(store, accounts[role]);
    }
    projectId = (await store.prisma.project.findUniqueOrThrow({ where: { name: "lab" } })).id;
    queue = await sharedQueue(store);
  });
  afterAll(async () => {
    await queue?.close();
    await store?.close();
    await db?.drop();
    vi.unstubAllEnvs();
    rmSync(base, { recursive: true, force: true });
  });

  const request = {
    projectId: 0,
    preset: "quick",
    data: path.join(dataRoot, "Train"),
    epochs: 2,
    imageSize: 64,
    views: 1,
  };

  it("queues a run: created queued in the project by the caller, with the config the worker will train", async () => {
    const queued = await callers.researcher.runs.create({
      ...request,
      projectId,
      name: "from-the-form",
      lr: 0.01,
    });
    const run = await getRun(store, queued.runId);
    expect(run).toMatchObject({ status: "queued", projectId, name: "from-the-form", preset: "quick" });
    const creator = await store.prisma.run.findUniqueOrThrow({
      where: { id: queued.runId },
      select: { createdBy: true },
    });
    expect(creator.createdBy?.email).toBe(accounts.researcher.email);
    expect(run?.config).toEqual(
      configFromOverrides("quick", { name: "from-the-form", epochs: 2, imageSize: 64, views: 1, lr: 0.01 }),
    );
    const job = await queue.get(queued.jobId);
    expect(job?.state).toBe("created");
    expect(job?.job).toEqual({
      kind: "train",
      runId: queued.runId,
      options: {
        preset: "quick",
        data: path.join(dataRoot, "Train"),
        name: "from-the-form",
        epochs: 2,
        imageSize: 64,
        views: 1,
        lr: 0.01,
      },
    });
    const audit = await store.prisma.auditEvent.findMany({
      where: { action: "run.create", targetId: String(queued.runId) },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorEmail: accounts.researcher.email,
      projectId,
    });
  });

  it("names the field of a value the config schema refuses, and creates nothing", async () => {
    const before = await store.prisma.run.count();
    const error = await callers.researcher.runs
      .create({ ...request, projectId, imageSize: 4096, freezeUntil: 3 })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toMatch(/imageSize/);
    expect(
      ((error as TRPCError).cause as unknown as { issues: { path: string[] }[] }).issues.map((i) => i.path),
    ).toEqual([["imageSize"]]);
    // Input the job schema refuses never reaches the store either: a relative dataset path.
    await expect(
      callers.researcher.runs.create({ ...request, projectId, data: "data/Train" }),
    ).rejects.toThrow(/full path/);
    expect(await store.prisma.run.count()).toBe(before);
  });

  it("refuses to queue or cancel for a viewer, or in a project the caller is not in", async () => {
    await expect(callers.viewer.runs.create({ ...request, projectId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const other = await callerAs(store, await testAccount(store, "researcher", ["elsewhere"]));
    await expect(other.runs.create({ ...request, projectId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { runId } = await callers.admin.runs.create({ ...request, projectId });
    await expect(callers.viewer.runs.cancel({ id: runId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(other.runs.cancel({ id: runId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await getRun(store, runId))?.status).toBe("queued");
  });

  it("cancels a queued run at once: its job never starts", async () => {
    const { runId, jobId } = await callers.researcher.runs.create({ ...request, projectId });
    expect(await callers.researcher.runs.cancel({ id: runId })).toEqual({
      runId,
      jobIds: [jobId],
      outcome: "cancelled",
    });
    expect((await queue.get(jobId))?.state).toBe("cancelled");
    expect(await getRun(store, runId)).toMatchObject({
      status: "cancelled",
      statusMessage: "cancelled before it started",
    });
    await expect(callers.researcher.runs.cancel({ id: runId })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `run ${runId} is already cancelled`,
    });
  });

  it("cancels a running run's job and leaves marking the run to its worker, which stops after its batch", async () => {
    const { runId, jobId } = await callers.researcher.runs.create({ ...request, projectId });
    // Drain whatever older tests left queued, then take this run's job as a worker would.
    for (const q of await queue.list()) if (q.id !== jobId && q.state === "created") await queue.cancel(q.id);
    expect(await queue.claim()).toMatchObject({ id: jobId });
    await updateRunStatus(store, runId, "running");
    expect(await callers.researcher.runs.cancel({ id: runId })).toEqual({
      runId,
      jobIds: [jobId],
      outcome: "stopping",
    });
    // The worker learns of it when it next renews its lease.
    expect(await queue.renew(jobId, 30)).toBe("cancelled");
    expect((await getRun(store, runId))?.status).toBe("running");
  });

  it("refuses to cancel a run that trains outside the queue", async () => {
    const config = configFromOverrides("quick", {});
    const run = await createRun(store, { config, project: "lab" });
    await updateRunStatus(store, run.id, "running");
    await expect(callers.researcher.runs.cancel({ id: run.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/not training from the queue/),
    });
    await expect(callers.researcher.runs.cancel({ id: 999_999 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  /** The refusal runs.create answers for `input`: BAD_REQUEST, its message and the fields it marks. */
  async function refusal(input: { data?: string; test?: string }) {
    const error = await callers.researcher.runs
      .create({ ...request, projectId, ...input })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    const cause = (error as TRPCError).cause as unknown as { issues: { path: string[]; message: string }[] };
    return { message: (error as TRPCError).message, issues: cause.issues };
  }

  it("queues only folders inside CXRLAB_DATA_ROOTS, refused under their field with one message whether they exist or not", async () => {
    const before = await store.prisma.run.count();
    const existing = await refusal({ data: path.join(outside, "ab") });
    expect(existing.issues.map((i) => i.path)).toEqual([["data"]]);
    expect(existing.message).toMatch(/CXRLAB_DATA_ROOTS/);
    expect(existing.message).not.toContain("thumbnails");
    const missing = await refusal({ data: path.join(outside, "no-such-folder") });
    expect(missing.message).toBe(existing.message);
    expect((await refusal({ data: path.join(dataRoot, "no-such-folder") })).message).toBe(existing.message);
    // A symlink inside the root leading out of it, and `..` out of it.
    expect((await refusal({ data: path.join(dataRoot, "cache", "ab") })).message).toBe(existing.message);
    expect((await refusal({ data: path.join(dataRoot, "..", "thumbnails") })).message).toBe(existing.message);
    const test = await refusal({ test: path.join(outside, "ab") });
    expect(test.issues.map((i) => i.path)).toEqual([["test"]]);
    expect(await store.prisma.run.count()).toBe(before);
    // Inside the root, both folders queue.
    const { runId } = await callers.researcher.runs.create({
      ...request,
      projectId,
      test: path.join(dataRoot, "Test"),
    });
    expect((await getRun(store, runId))?.status).toBe("queued");
  });

  it("allows no folder at all when CXRLAB_DATA_ROOTS is unset", async () => {
    vi.stubEnv("CXRLAB_DATA_ROOTS", undefined);
    try {
      const refused = await refusal({ data: path.join(dataRoot, "Train") });
      expect(refused.issues.map((i) => i.path)).toEqual([["data"]]);
      expect(refused.message).toMatch(/CXRLAB_DATA_ROOTS/);
    } finally {
      vi.stubEnv("CXRLAB_DATA_ROOTS", dataRoot);
    }
  });

  it("the worker checks a dashboard-made job's folders again, and trusts only a CLI-made one", async () => {
    const { runId, jobId } = await callers.researcher.runs.create({ ...request, projectId });
    const job = (await queue.get(jobId))!.job;
    // Within the roots: the job runs on the folders' real paths.
    expect(await confineQueuedJob(store, job)).toEqual(job);
    // The roots changed since it was queued (or an older server wrote it): refused before anything is read.
    vi.stubEnv("CXRLAB_DATA_ROOTS", path.join(base, "elsewhere"));
    try {
      await expect(confineQueuedJob(store, job)).rejects.toMatchObject({
        name: "DataRootRefused",
        field: "data",
        message: expect.stringMatching(/CXRLAB_DATA_ROOTS/),
      });
    } finally {
      vi.stubEnv("CXRLAB_DATA_ROOTS", dataRoot);
    }
    // A job naming a folder outside the roots, as a server without the check would queue it.
    const escaped: Job = {
      kind: "train",
      runId,
      options: { preset: "quick", data: path.join(outside, "ab") },
    };
    await expect(confineQueuedJob(store, escaped)).rejects.toMatchObject({ name: "DataRootRefused" });
    // Claiming to come from the CLI does not help a run an account created.
    await expect(confineQueuedJob(store, { ...escaped, origin: "cli" })).rejects.toMatchObject({
      name: "DataRootRefused",
    });
    // `cxrlab queue add` (direct store access, no account) is trusted with any folder.
    const cliRun = await createRun(store, { config: configFromOverrides("quick", {}), project: "lab" });
    const cliJob: Job = { ...escaped, runId: cliRun.id, origin: "cli" };
    expect(await confineQueuedJob(store, cliJob)).toEqual(cliJob);
    // Model jobs alike: a dashboard-made evaluation or prediction stays inside the roots.
    await expect(
      confineQueuedJob(store, { kind: "evaluate", runId: cliRun.id, options: { data: outside } }),
    ).rejects.toMatchObject({ name: "DataRootRefused" });
    await expect(
      confineQueuedJob(store, {
        kind: "predict",
        runId: cliRun.id,
        options: { inputs: [path.join(dataRoot, "Test"), path.join(dataRoot, "cache")] },
      }),
    ).rejects.toMatchObject({ name: "DataRootRefused", field: "inputs" });
    // `cxrlab queue evaluate` on the model of a run the dashboard made is the CLI user's own doing.
    const evaluation: Job = { kind: "evaluate", runId, origin: "cli", options: { data: outside } };
    expect(await confineQueuedJob(store, evaluation)).toEqual(evaluation);
  });

  it("queues a run on a dataset version of the project: recorded on the run, split by patient, read from the store", async () => {
    const labelled = path.join(base, "labelled");
    for (const s of sampleImagePaths(1)) {
      mkdirSync(path.join(labelled, s.label), { recursive: true });
      copyFileSync(s.path, path.join(labelled, s.label, path.basename(s.path)));
    }
    const { version } = await createDatasetVersion(store, {
      project: "lab",
      name: "lab-set",
      include: [labelled],
      imageStore: path.join(base, "images"),
    });
    const { data: _data, ...withoutFolder } = request;
    const { runId, jobId } = await callers.researcher.runs.create({
      ...withoutFolder,
      projectId,
      dataset: "lab-set@1",
    });
    const run = await store.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.datasetVersionId).toBe(version.id);
    expect((run.config as { split: { by: string } }).split.by).toBe("patient");
    const job = (await queue.get(jobId))!.job;
    expect(job.kind === "train" && job.options).toMatchObject({ dataset: "lab-set@1", project: "lab" });
    // No folder to confine: the worker lays the version out from the store.
    expect(await confineQueuedJob(store, job)).toEqual(job);
    const both = await refusal({ data: path.join(dataRoot, "Train"), dataset: "lab-set@1" } as never);
    expect(both.issues.map((i) => i.path)).toEqual([["data"]]);
    const unknown = await callers.researcher.runs
      .create({ ...withoutFolder, projectId, dataset: "lab-set@9" })
      .catch((err: unknown) => err as TRPCError);
    expect(unknown).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("no dataset lab-set@9 in project lab"),
    });
  });
}
