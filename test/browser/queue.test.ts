import { sharedPaths } from "@cxrlab/core/paths";
import { getRun } from "@cxrlab/db";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  horizontalOverflow,
  type OpenedPage,
  privateDatabase,
  screenshot,
  type TestAccount,
  testAccount,
  useDashboard,
} from "./harness.ts";

/** Small real jobs on the bundled sample: a few seconds an epoch at 64 px. */
const SMALL = { preset: "quick", data: sharedPaths.sample(), imageSize: "64", views: "1" };
const TRAINING_TIMEOUT_MS = 300_000;

describe("queueing runs from the dashboard, a worker training them, cancelling", () => {
  // `cxrlab serve` on a SQLite store runs the queued jobs in its own process, one at a time.
  const databaseUrl = privateDatabase();
  const dashboard = useDashboard({ databaseUrl });
  let opened: OpenedPage;
  let page: Page;
  let researcher: TestAccount;

  beforeAll(async () => {
    // A researcher of the runs' project: may queue and cancel runs there.
    researcher = await testAccount(dashboard.store, "researcher");
    opened = await dashboard.openPage({ width: 1280, account: researcher });
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
  });

  const base = () => dashboard.app.baseUrl;
  const status = () => page.getByTestId("run-name").getByTestId("run-status");
  const storedRun = async (id: number) => {
    const run = await getRun(dashboard.store, id);
    if (!run) throw new Error(`no run ${id} in the store`);
    return run;
  };
  const jobOf = (runId: number) =>
    dashboard.store.prisma.job
      .findMany()
      .then((jobs) => jobs.find((j) => (j.data as { runId?: number }).runId === runId));

  /** Fills the form (fields by name; the rest left empty: the preset's value) and submits it. */
  async function fillForm(fields: Record<string, string>) {
    const form = page.getByTestId("new-run-form");
    for (const name of [
      "name",
      "tag",
      "data",
      "test",
      "epochs",
      "batchSize",
      "lr",
      "freezeUntil",
      "imageSize",
      "seed",
      "views",
    ]) {
      await form.getByTestId(`field-${name}`).fill(fields[name] ?? "");
    }
    await form.getByTestId("field-preset").selectOption(fields.preset ?? "recommended");
    await form.getByTestId("queue-run").click();
  }

  /** Queues a run from /runs/new and returns its id, read from the run page the form opens. */
  async function queueRun(fields: Record<string, string>): Promise<number> {
    await page.goto(`${base()}/runs/new`);
    await fillForm(fields);
    await page.waitForURL(/\/runs\/\d+$/);
    return Number(new URL(page.url()).pathname.split("/").at(-1));
  }

  let first: number;

  it("opens the form from the runs list and shows the server's per-field errors, queueing nothing", async () => {
    await page.goto(`${base()}/runs`);
    await page.getByTestId("new-run-link").click();
    await page.waitForURL(/\/runs\/new$/);
    // The placeholders are the chosen preset's values, from core's presets.
    await page.getByTestId("field-preset").selectOption("quick");
    expect(await page.getByTestId("field-imageSize").getAttribute("placeholder")).toBe("128");
    expect(await page.getByTestId("field-epochs").getAttribute("placeholder")).toBe("15");
    const before = await dashboard.store.prisma.run.count();

    // The job schema refuses a relative dataset path, and an image size below the config's
    // minimum (its overrides are core's trainOverridesSchema), each named by its field...
    await fillForm({ ...SMALL, data: "cxr-sample", imageSize: "16" });
    await expect.poll(() => page.getByTestId("error-data").textContent()).toMatch(/full path/);
    await expect.poll(() => page.getByTestId("error-imageSize").textContent()).toMatch(/32/);
    await fillForm({ ...SMALL, imageSize: "16", freezeUntil: "all" });
    await expect.poll(() => page.getByTestId("error-imageSize").textContent()).toMatch(/32/);
    expect(await page.getByTestId("error-data").count()).toBe(0);
    // ...and both one above CONFIG_LIMITS.
    await fillForm({ ...SMALL, imageSize: "4096" });
    await expect.poll(() => page.getByTestId("error-imageSize").textContent()).toMatch(/1024/);
    await fillForm({ ...SMALL, freezeUntil: "some" });
    await expect.poll(() => page.getByTestId("error-freezeUntil").textContent()).toMatch(/layer index/);
    // ...and a folder outside CXRLAB_DATA_ROOTS (here the repository's own), whether it exists or not.
    await fillForm({ ...SMALL, data: process.cwd() });
    await expect.poll(() => page.getByTestId("error-data").textContent()).toMatch(/CXRLAB_DATA_ROOTS/);
    await fillForm({ ...SMALL, test: "/no/such/folder" });
    await expect.poll(() => page.getByTestId("error-test").textContent()).toMatch(/CXRLAB_DATA_ROOTS/);
    await fillForm({ ...SMALL, tag: `ok, ${"x".repeat(65)}` });
    await expect.poll(() => page.getByTestId("error-tag").textContent()).toMatch(/64/);
    expect(await page.getByTestId("form-error").textContent()).toMatch(/Check the fields/);
    await screenshot(page, "queue-new-run-errors-1280");
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await dashboard.store.prisma.run.count()).toBe(before);
  });

  it(
    "queues a run that the worker trains while its page shows the status and live progress",
    async () => {
      first = await queueRun({
        ...SMALL,
        name: "queued-from-the-form",
        tag: " sweep, baseline,,sweep ",
        epochs: "6",
        seed: "5",
      });
      const queued = await storedRun(first);
      expect(queued).toMatchObject({
        name: "queued-from-the-form",
        preset: "quick",
        tags: ["baseline", "sweep"],
      });
      expect(queued.config.training.epochs).toBe(6);
      expect(queued.config.preprocessing.imageSize).toBe(64);
      expect(queued.config.augmentation.cachedViews).toBe(1);
      expect(queued.config.seed).toBe(5);
      expect(["queued", "running"]).toContain(await status().textContent());
      const creator = await dashboard.store.prisma.run.findUniqueOrThrow({
        where: { id: first },
        select: { createdBy: { select: { email: true } }, project: { select: { name: true } } },
      });
      expect(creator).toEqual({ createdBy: { email: researcher.email }, project: { name: "default" } });

      // The page refreshes itself while the run is live: the worker's progress appears on it.
      await page.getByTestId("run-progress").waitFor({ timeout: TRAINING_TIMEOUT_MS });
      expect(await status().textContent()).toBe("running");
      expect(await page.getByTestId("cancel-run").isVisible()).toBe(true);
      await screenshot(page, "queue-run-running-1280");
    },
    TRAINING_TIMEOUT_MS,
  );

  let waiting: number;

  it(
    "shows a run queued behind a busy worker in the runs list, and cancels it there at once",
    async () => {
      waiting = await queueRun({ ...SMALL, name: "waits-then-cancelled", epochs: "1" });
      expect(await status().textContent()).toBe("queued");
      await page.goto(`${base()}/runs`);
      const row = page.locator(`[data-testid="run-row"][data-run-id="${waiting}"]`);
      expect(await row.getAttribute("data-status")).toBe("queued");
      // The list polls while runs are live: the first run's progress moves without a reload.
      const running = page.locator(`[data-testid="run-row"][data-run-id="${first}"]`);
      await expect.poll(() => running.getAttribute("data-status")).toBe("running");
      await screenshot(page, "queue-runs-list-live-1280");
      const progress = running.getByTestId("run-progress");
      const seen = new Set([await progress.textContent()]);
      await expect
        .poll(async () => seen.add(await progress.textContent({ timeout: 5000 })).size, { timeout: 60_000 })
        .toBeGreaterThan(1);

      await row.getByTestId("cancel-run").click();
      await expect.poll(() => row.getAttribute("data-status")).toBe("cancelled");
      const cancelled = await storedRun(waiting);
      expect(cancelled).toMatchObject({ status: "cancelled", statusMessage: "cancelled before it started" });
      expect(cancelled.epochs).toEqual([]);
      expect((await jobOf(waiting))?.state).toBe("cancelled");
    },
    TRAINING_TIMEOUT_MS,
  );

  it(
    "shows the first run finished, trained as the form asked",
    async () => {
      await page.goto(`${base()}/runs/${first}`);
      await expect
        .poll(() => status().textContent(), { timeout: TRAINING_TIMEOUT_MS, interval: 2000 })
        .toBe("succeeded");
      const run = await storedRun(first);
      expect(run.status).toBe("succeeded");
      expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(run.evaluations.map((e) => e.split)).toContain("test");
      // The worker recorded what it trained on and with which code and engine.
      expect(run.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(run.codeVersion).toMatch(/^([0-9a-f]{7,}|unknown)$/);
      expect(run.backend).toBeTruthy();
      expect(await page.getByTestId("run-epochs").textContent()).toBe("6/6");
      expect(await page.getByTestId("cancel-run").count()).toBe(0);
      expect((await jobOf(first))?.state).toBe("completed");
    },
    TRAINING_TIMEOUT_MS,
  );

  it(
    "cancels a running run from its page: the worker stops it after its batch",
    async () => {
      const long = await queueRun({ ...SMALL, name: "stopped-while-training", epochs: "30" });
      // Wait for a finished epoch, so that the cancel lands mid-training.
      await expect
        .poll(async () => (await storedRun(long)).epochs.length, {
          timeout: TRAINING_TIMEOUT_MS,
          interval: 1000,
        })
        .toBeGreaterThan(0);
      await page.reload();
      expect(await status().textContent()).toBe("running");
      await page.getByTestId("cancel-run").click();
      await page.getByTestId("cancel-stopping").waitFor();
      await expect.poll(() => status().textContent(), { timeout: 120_000, interval: 2000 }).toBe("cancelled");
      const run = await storedRun(long);
      expect(run.status).toBe("cancelled");
      expect(run.epochs.length).toBeGreaterThan(0);
      expect(run.epochs.length).toBeLessThan(30);
      expect((await jobOf(long))?.state).toBe("cancelled");
      await screenshot(page, "queue-run-cancelled-1280");

      // The queue agrees: the first job completed at its first attempt, this one was cancelled
      // while it ran, and the one cancelled while queued never started.
      expect(await jobOf(first)).toMatchObject({ state: "completed", retryCount: 0 });
      expect((await jobOf(long))?.startedOn).not.toBeNull();
      expect((await jobOf(waiting))?.startedOn).toBeNull();
      // The form's refused submissions answer 400 on purpose (seven of them); nothing else failed.
      const refused = /400.*\/api\/trpc\/runs\.create/;
      expect(opened.consoleErrors.filter((e) => !refused.test(e))).toEqual([]);
      expect(opened.failedRequests.filter((r) => !refused.test(r))).toEqual([]);
      expect(opened.failedRequests.filter((r) => refused.test(r))).toHaveLength(7);
    },
    TRAINING_TIMEOUT_MS,
  );

  it("offers a viewer neither the New run link nor the form", async () => {
    const viewer = await dashboard.openPage({
      width: 1280,
      account: await testAccount(dashboard.store, "viewer"),
    });
    try {
      await viewer.page.goto(`${base()}/runs`);
      await viewer.page.getByTestId("runs-table").waitFor();
      expect(await viewer.page.getByTestId("new-run-link").count()).toBe(0);
      await viewer.page.goto(`${base()}/runs/new`);
      expect(await viewer.page.getByTestId("no-project").textContent()).toMatch(/does not allow queueing/);
      expect(await viewer.page.getByTestId("new-run-form").count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it("lays the form out without sideways scrolling on a phone", async () => {
    const phone = await dashboard.openPage({ width: 390, account: researcher });
    try {
      await phone.page.goto(`${base()}/runs/new`);
      await phone.page.getByTestId("new-run-form").waitFor();
      await screenshot(phone.page, "queue-new-run-390");
      expect(await horizontalOverflow(phone.page)).toBe(0);
      expect(phone.consoleErrors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
