import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sharedPaths } from "@cxrlab/core/paths";
import { createApiToken, getRun, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testAccount } from "../api/accounts.ts";
import { parseJson, runCli } from "../helpers.ts";
import { privateDatabase, type RunningApp, startApp } from "./harness.ts";

const STOP_TIMEOUT_MS = 120_000;

/**
 * `cxrlab queue add|cancel --remote` against the built dashboard: the CLI holds an API token only
 * (its own DATABASE_URL is an empty store of its own), the dashboard's runs.create and runs.cancel
 * do the work. `cxrlab serve` on SQLite runs queued jobs in its own process, one at a time, so the
 * first run queued here is picked up by that worker and the next one waits behind it.
 */
describe("cxrlab queue add and cancel --remote, through the dashboard as the signed-in account", () => {
  const databaseUrl = privateDatabase();
  let app: RunningApp;
  let store: Store;

  /** A CLI signed in (in a config home of its own) with a token made for an account with `role`. */
  async function signedInCli(role: "researcher" | "viewer") {
    const account = await testAccount(store, role, ["default", "remote-team"]);
    const { token } = await createApiToken(store, account.userId, `${role}'s laptop`);
    const env = { XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), "cxrlab-config-")) };
    const cli = (args: string[], options: { cwd?: string } = {}) => runCli(args, { env, ...options });
    expect((await cli(["login", "--server", app.baseUrl, "--token", token])).code).toBe(0);
    return { account, cli };
  }
  let researcher: Awaited<ReturnType<typeof signedInCli>>;
  let viewer: Awaited<ReturnType<typeof signedInCli>>;

  const sample = sharedPaths.sample();
  /** Small real jobs on the bundled sample, with a relative --data (resolved by the CLI). */
  const queueArgs = (...more: string[]) => [
    "queue",
    "add",
    "--remote",
    "--data",
    path.basename(sample),
    "--preset",
    "quick",
    "--image-size",
    "64",
    "--views",
    "1",
    ...more,
  ];
  const inSharedData = { cwd: path.dirname(sample) };
  const counts = async () => ({ runs: await store.prisma.run.count(), jobs: await store.prisma.job.count() });
  const audited = (actorId: string, action: string, runId: number) =>
    store.prisma.auditEvent.findMany({ where: { actorId, action, targetId: String(runId) } });

  beforeAll(async () => {
    [app, store] = await Promise.all([startApp(databaseUrl), openStore(databaseUrl)]);
    [researcher, viewer] = await Promise.all([signedInCli("researcher"), signedInCli("viewer")]);
  });
  afterAll(async () => {
    await Promise.all([app?.stop(), store?.close()]);
  });

  it("refuses, naming each, the flags the API cannot take, and queues nothing", async () => {
    const before = await counts();
    const refused = await researcher.cli(
      queueArgs("--epochs", "1", "--weights", "none", "--out", "elsewhere"),
      inSharedData,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("the dashboard's API does not take --weights, --out;");
    // A value only the server's config schema refuses comes back naming the flag (the CLI itself
    // checks only the upper bounds of CONFIG_LIMITS: --image-size 4096 never leaves it).
    const tooSmall = await researcher.cli([...queueArgs(), "--image-size", "16"], inSharedData);
    expect(tooSmall.code).toBe(1);
    expect(tooSmall.stderr).toContain(
      `${app.baseUrl}: ✖ Too small: expected number to be >=32\n  → at --image-size`,
    );
    const tooLarge = await researcher.cli([...queueArgs(), "--image-size", "4096"], inSharedData);
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stderr).toContain("--image-size");
    expect(tooLarge.stderr).toContain("expected a whole number from 1 to 1024");
    const unknown = await researcher.cli(queueArgs("--project", "nowhere"), inSharedData);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      `--project nowhere: you are not a member of such a project at ${app.baseUrl} (yours: default, remote-team)`,
    );
    expect(await counts()).toEqual(before);
  });

  it("refuses a viewer with the server's message, queueing nothing", async () => {
    const before = await counts();
    const refused = await viewer.cli(queueArgs("--epochs", "1"), inSharedData);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${app.baseUrl} refused: your role does not allow runs.create here`);
    expect(await counts()).toEqual(before);
  });

  let training: { jobId: string; runId: number };
  let waiting: { jobId: string; runId: number };

  it("queues runs in the named project, created by the account and audited under its name", async () => {
    training = parseJson(
      await researcher.cli(
        // Long enough that it is still training when the cancel test stops it, however fast the machine.
        queueArgs(
          "--epochs",
          "300",
          "--name",
          "remote-trains",
          "--project",
          "remote-team",
          "--tag",
          "from-cli",
          "--tag",
          "sweep",
          "--json",
        ),
        inSharedData,
      ),
    );
    const added = await researcher.cli(queueArgs("--epochs", "1", "--seed", "7"), inSharedData);
    expect(added.code).toBe(0);
    const printed = /^queued job (\S+) \(run (\d+)\)\n$/.exec(added.stdout);
    expect(printed).not.toBeNull();
    waiting = { jobId: printed![1]!, runId: Number(printed![2]) };

    for (const [queued, project] of [
      [training, "remote-team"],
      [waiting, "default"],
    ] as const) {
      const run = await store.prisma.run.findUniqueOrThrow({
        where: { id: queued.runId },
        select: { status: true, createdBy: { select: { email: true } }, project: { select: { name: true } } },
      });
      expect(run).toMatchObject({
        createdBy: { email: researcher.account.email },
        project: { name: project },
      });
      const job = await store.prisma.job.findUniqueOrThrow({ where: { id: queued.jobId } });
      // The relative --data was resolved where the CLI ran.
      expect(job.data).toMatchObject({ kind: "train", runId: queued.runId, options: { data: sample } });
      const events = await audited(researcher.account.userId, "run.create", queued.runId);
      expect(events).toHaveLength(1);
      expect(events[0]!.userAgent).toBe("cxrlab-cli");
    }
    const first = (await getRun(store, training.runId))!;
    expect(first).toMatchObject({ name: "remote-trains", preset: "quick", tags: ["from-cli", "sweep"] });
    expect(first.config.training.epochs).toBe(300);
    expect(first.config.preprocessing.imageSize).toBe(64);
    expect(["queued", "running"]).toContain(first.status);
    // The in-process worker takes one job at a time, oldest first: the second run waits.
    const second = (await getRun(store, waiting.runId))!;
    expect(second.status).toBe("queued");
    expect(second.config.seed).toBe(7);
    expect(second.config.training.epochs).toBe(1);
  });

  it(
    "cancels by run id: refuses a viewer, cancels a waiting run at once and stops the training one",
    async () => {
      const refused = await viewer.cli(["queue", "cancel", "--remote", "--run", String(waiting.runId)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${app.baseUrl} refused: your role does not allow runs.cancel here`);
      const byJob = await researcher.cli(["queue", "cancel", "--remote", waiting.jobId]);
      expect(byJob.code).toBe(1);
      expect(byJob.stderr).toContain(
        "--remote cancels by run: `cxrlab queue cancel --remote --run <run id>`",
      );
      expect((await getRun(store, waiting.runId))!.status).toBe("queued");

      const cancelled = await researcher.cli(["queue", "cancel", "--remote", "--run", String(waiting.runId)]);
      expect(cancelled.stdout).toBe(`cancelled run ${waiting.runId} (job ${waiting.jobId})\n`);
      expect((await getRun(store, waiting.runId))!.status).toBe("cancelled");
      expect(await audited(researcher.account.userId, "run.cancel", waiting.runId)).toHaveLength(1);
      const again = await researcher.cli(["queue", "cancel", "--remote", "--run", String(waiting.runId)]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`run ${waiting.runId} is already cancelled`);

      // The worker has the first run (or is about to): it stops after its batch, or never starts.
      const stopped = parseJson<{ runId: number; jobIds: string[]; outcome: string }>(
        await researcher.cli(["queue", "cancel", "--remote", "--run", String(training.runId), "--json"]),
      );
      expect(stopped).toMatchObject({ runId: training.runId, jobIds: [training.jobId] });
      expect(["stopping", "cancelled"]).toContain(stopped.outcome);
      await expect
        .poll(async () => (await getRun(store, training.runId))!.status, {
          timeout: STOP_TIMEOUT_MS,
          interval: 1000,
        })
        .toBe("cancelled");
    },
    STOP_TIMEOUT_MS + 30_000,
  );
});
