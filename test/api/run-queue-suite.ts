import { sharedQueue } from "@cxrlab/api/queue/shared-queue";
import { sharedPaths } from "@cxrlab/core/paths";
import { configFromOverrides } from "@cxrlab/core/train-overrides";
import { createRun, getRun, migrate, openStore, type Store, updateRunStatus } from "@cxrlab/db";
import type { JobQueue } from "@cxrlab/trainer";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";

/** runs.create and runs.cancel against a real store and its real job queue. */
export function runQueueSuite(factory: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let queue: JobQueue;
  let projectId: number;
  const accounts = {} as Record<"viewer" | "researcher" | "admin", TestAccount>;
  const callers = {} as Record<keyof typeof accounts, Awaited<ReturnType<typeof callerAs>>>;

  beforeAll(async () => {
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
  });

  const request = {
    projectId: 0,
    preset: "quick",
    data: sharedPaths.sample(),
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
        data: sharedPaths.sample(),
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
}
