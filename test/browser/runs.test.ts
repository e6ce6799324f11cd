import type { MetricIntervals } from "@cxrlab/core/metrics";
import { createRun, deleteRun, updateRunProgress, updateRunStatus } from "@cxrlab/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fixture, screenshot } from "./harness.ts";
import { expectFixed, expectPercent, onPage, texts, useDashboard, WIDTHS } from "./page-check.ts";

const { runs: fixtureRuns } = fixture();

/** Leaf values of a config by dotted path (arrays whole): the test's own oracle for the config diff. */
function leaves(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [p, v] of leaves(child, prefix ? `${prefix}.${key}` : key)) out.set(p, v);
    }
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

describe("runs list and compare pages over the fixture store", () => {
  const dashboard = useDashboard();

  /** Every run as stored, with what the list shows about it. */
  async function storedRuns() {
    return dashboard.store.prisma.run.findMany({
      include: { tags: true, evaluations: { where: { split: "test" } }, epochs: true },
      orderBy: { id: "asc" },
    });
  }

  async function shownRunIds(page: Page): Promise<number[]> {
    return (
      await page.getByTestId("run-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run-id")))
    ).map(Number);
  }

  for (const width of WIDTHS) {
    it(`lists every run with its stored status, test accuracy and best validation loss (${width} px)`, async () => {
      const stored = await storedRuns();
      expect(stored.map((r) => r.id)).toEqual(expect.arrayContaining(fixtureRuns.map((r) => r.id)));
      await onPage(dashboard, `${dashboard.app.baseUrl}/runs`, { width, name: "runs" }, async (page) => {
        await expect.poll(() => page.getByTestId("run-row").count()).toBe(stored.length);
        expect(await page.getByTestId("runs-total").textContent()).toBe(String(stored.length));
        for (const run of stored) {
          const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
          expect(await row.getByTestId("run-link").textContent()).toBe(run.name);
          expect(await row.getByTestId("run-status").textContent()).toBe(run.status);
          const accuracy = run.evaluations[0]?.accuracy;
          expect(accuracy, `run ${run.id} has a test accuracy`).toBeTypeOf("number");
          expectPercent(await row.getByTestId("run-accuracy").textContent(), accuracy!);
          const bestValLoss = Math.min(...run.epochs.map((e) => e.valLoss ?? Number.POSITIVE_INFINITY));
          expectFixed(await row.getByTestId("run-val-loss").textContent(), bestValLoss, 4);
          expect(await texts(row.locator(".tag"))).toEqual(run.tags.map((t) => t.tag).sort());
        }
        // Newest first by default.
        expect(await shownRunIds(page)).toEqual(
          [...stored]
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
            .map((r) => r.id),
        );
      });
    });
  }

  it("filters by status, tag, name and accuracy, each kept in the URL", async () => {
    const stored = await storedRuns();
    const { page, consoleErrors, close } = await dashboard.openPage({ width: 1280 });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      const filters = page.getByTestId("runs-filters");

      // Status: ticking a box applies it at once.
      const status = stored[0]!.status;
      await filters.getByTestId("filter-status").getByLabel(status, { exact: true }).check();
      await page.waitForURL(/[?&]status=/);
      expect(new URL(page.url()).searchParams.getAll("status")).toEqual([status]);
      await expect
        .poll(() => shownRunIds(page))
        .toEqual(
          stored
            .filter((r) => r.status === status)
            .map((r) => r.id)
            .reverse(),
        );

      // A status no run has: linked directly, the list is empty and says so.
      const absent = ["failed", "cancelled", "interrupted"].find((s) => !stored.some((r) => r.status === s))!;
      await page.goto(`${dashboard.app.baseUrl}/runs?status=${absent}`);
      await expect.poll(() => page.getByTestId("run-row").count()).toBe(0);
      expect(await page.getByText("No runs match these filters.").isVisible()).toBe(true);

      // Tag: every fixture tag is stored, and picking one keeps exactly the runs that carry it.
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      const tag = fixtureRuns[1]!.tags[0]!;
      const tagged = stored.filter((r) => r.tags.some((t) => t.tag === tag)).map((r) => r.id);
      expect(tagged).toContain(fixtureRuns[1]!.id);
      await page.getByTestId("filter-tag").selectOption(tag);
      await page.waitForURL(new RegExp(`[?&]tag=${tag}`));
      await expect.poll(async () => (await shownRunIds(page)).sort()).toEqual(tagged.sort());

      // Name search applies on Enter; the other filters are cleared first.
      await page.getByTestId("filters-clear").click();
      await page.waitForURL((url) => url.search === "");
      const word = fixtureRuns[0]!.name.split("-").at(-1)!;
      await page.getByTestId("filter-q").fill(word.toUpperCase());
      await page.getByTestId("filter-q").press("Enter");
      await page.waitForURL(/[?&]q=/);
      const named = stored.filter((r) => r.name.toLowerCase().includes(word.toLowerCase())).map((r) => r.id);
      expect(named.length).toBeGreaterThan(0);
      await expect.poll(async () => (await shownRunIds(page)).sort()).toEqual(named.sort());

      // Accuracy range in percent: from the best run's accuracy (rounded down) upwards.
      const accuracies = stored.map((r) => r.evaluations[0]!.accuracy!);
      const floor = Math.floor(Math.max(...accuracies) * 100);
      await page.goto(`${dashboard.app.baseUrl}/runs?minAcc=${floor}`);
      await expect
        .poll(async () => (await shownRunIds(page)).sort())
        .toEqual(
          stored
            .filter((r) => r.evaluations[0]!.accuracy! * 100 >= floor)
            .map((r) => r.id)
            .sort(),
        );
      expect(await page.getByTestId("filter-min-acc").inputValue()).toBe(String(floor));

      // Created dates (UTC days, both ends inclusive), as the date inputs write them.
      const day = (d: Date) => d.toISOString().slice(0, 10);
      const first = day(stored[0]!.createdAt);
      await page.goto(`${dashboard.app.baseUrl}/runs?from=${first}&to=${first}`);
      await expect
        .poll(async () => (await shownRunIds(page)).sort())
        .toEqual(
          stored
            .filter((r) => day(r.createdAt) === first)
            .map((r) => r.id)
            .sort(),
        );
      expect(await page.getByTestId("filter-from").inputValue()).toBe(first);
      const dayBefore = day(new Date(stored[0]!.createdAt.getTime() - 86_400_000));
      await page.goto(`${dashboard.app.baseUrl}/runs?to=${dayBefore}`);
      await expect
        .poll(async () => (await shownRunIds(page)).sort())
        .toEqual(
          stored
            .filter((r) => day(r.createdAt) <= dayBefore)
            .map((r) => r.id)
            .sort(),
        );
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("sorts by a column header, descending then ascending", async () => {
    const stored = await storedRuns();
    const accuracy = new Map(stored.map((r) => [r.id, r.evaluations[0]!.accuracy!]));
    const { page, close } = await dashboard.openPage({ width: 1280 });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      await page.getByTestId("sort-testAccuracy").click();
      await page.waitForURL(/sort=testAccuracy&dir=desc/);
      await expect
        .poll(async () => (await shownRunIds(page)).map((id) => accuracy.get(id)))
        .toEqual([...accuracy.values()].sort((a, b) => b - a));
      await page.getByTestId("sort-testAccuracy").click();
      await page.waitForURL(/sort=testAccuracy&dir=asc/);
      await expect
        .poll(async () => (await shownRunIds(page)).map((id) => accuracy.get(id)))
        .toEqual([...accuracy.values()].sort((a, b) => a - b));
    } finally {
      await close();
    }
  });

  for (const width of WIDTHS) {
    it(`compares the runs picked in the list: metrics, overlaid curves and only the differing config (${width} px)`, async () => {
      const picked = fixtureRuns.slice(0, 2).map((r) => r.id);
      const stored = await dashboard.store.prisma.run.findMany({
        where: { id: { in: picked } },
        include: { evaluations: { where: { split: "test" } } },
      });
      const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({ width });
      try {
        await page.goto(`${dashboard.app.baseUrl}/runs`);
        const compare = page.getByTestId("compare-button");
        expect(await compare.isDisabled()).toBe(true);
        for (const id of picked) {
          await page
            .locator(`[data-testid="run-row"][data-run-id="${id}"]`)
            .getByTestId("run-select")
            .check();
        }
        await compare.click();
        await page.waitForURL(/\/compare\?ids=/);
        expect(new URL(page.url()).searchParams.get("ids")).toBe(picked.join(","));

        const columns = await page
          .getByTestId("compare-run")
          .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-run-id"))));
        expect(columns.sort()).toEqual([...picked].sort());
        const accuracyRow = page.locator('[data-testid="compare-metric-row"][data-metric="Test accuracy"]');
        for (const run of stored) {
          expectPercent(
            await accuracyRow.locator(`td[data-run-id="${run.id}"]`).textContent(),
            run.evaluations[0]!.accuracy!,
          );
        }
        // Each run's stored 95% interval of it.
        const intervalRow = page.locator(
          '[data-testid="compare-metric-row"][data-metric="Test accuracy, 95% interval"]',
        );
        for (const run of stored) {
          const { lower, upper } = (run.evaluations[0]!.intervals as unknown as MetricIntervals).accuracy;
          const pct = (v: number | null) => `${(v! * 100).toFixed(2)}%`;
          expect(await intervalRow.locator(`td[data-run-id="${run.id}"]`).textContent()).toBe(
            `${pct(lower)} – ${pct(upper)}`,
          );
        }

        // The diff lists exactly the config paths whose values differ, with each run's value.
        const [a, b] = columns.map((id) => leaves(stored.find((r) => r.id === id)!.config));
        const differing = [...new Set([...a!.keys(), ...b!.keys()])].filter((p) => a!.get(p) !== b!.get(p));
        expect(differing).toContain("seed");
        const rows = page.getByTestId("config-diff-row");
        expect((await rows.evaluateAll((r) => r.map((e) => e.getAttribute("data-path")))).sort()).toEqual(
          differing.sort(),
        );
        const seedCells = await texts(page.locator('[data-testid="config-diff-row"][data-path="seed"] td'));
        expect(seedCells).toEqual(columns.map((id) => String(stored.find((r) => r.id === id)!.seed)));

        const curves = page.getByTestId("compare-curves");
        for (const run of stored) expect(await curves.innerHTML()).toContain(`#${run.id} ${run.name}`);

        await page.waitForLoadState("networkidle");
        await screenshot(page, `compare-${width}`);
        expect(consoleErrors).toEqual([]);
        expect(failedRequests).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it("shows a running run's progress and refreshes it without a reload", async () => {
    const template = await dashboard.store.prisma.run.findUniqueOrThrow({
      where: { id: fixtureRuns[0]!.id },
    });
    const config = { ...(template.config as object), name: "live-progress-probe" };
    const run = await createRun(dashboard.store, { config: config as never });
    try {
      await updateRunStatus(dashboard.store, run.id, "running");
      const step = { phase: "train", epoch: 1, epochs: 3, total: 200, imagesPerSecond: 4.5, etaSeconds: 90 };
      await updateRunProgress(dashboard.store, run.id, { ...step, done: 50 });
      await onPage(
        dashboard,
        `${dashboard.app.baseUrl}/runs`,
        { width: 390, name: "runs-live-progress" },
        async (page) => {
          const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
          expect(await row.getByTestId("run-status").textContent()).toBe("running");
          expect(await row.getByTestId("run-progress-percent").textContent()).toBe("25%");
          expect(await row.getByTestId("run-progress").textContent()).toContain("ETA 1m 30s");
          const loads = page.url();
          await updateRunProgress(dashboard.store, run.id, { ...step, done: 150, etaSeconds: 30 });
          await expect
            .poll(() => row.getByTestId("run-progress-percent").textContent(), { timeout: 15_000 })
            .toBe("75%");
          expect(page.url()).toBe(loads);
        },
      );
    } finally {
      await deleteRun(dashboard.store, run.id);
    }
  });
});
