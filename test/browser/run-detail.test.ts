import { describeBootstrap, formatFixed } from "@cxrlab/core/metrics";
import { getRun, type RunDetail } from "@cxrlab/db";
import { describe, expect, it } from "vitest";
import { fixture } from "./harness.ts";
import { expectFixed, expectPercent, onPage, texts, useDashboard, WIDTHS } from "./page-check.ts";

const { runs: fixtureRuns } = fixture();

describe("run detail page over the fixture store", () => {
  const dashboard = useDashboard();

  async function stored(id: number): Promise<RunDetail> {
    const run = await getRun(dashboard.store, id);
    if (!run) throw new Error(`fixture run ${id} is not in the store`);
    return run;
  }

  for (const width of WIDTHS) {
    for (const fixtureRun of fixtureRuns) {
      it(`shows run ${fixtureRun.name}'s stored facts, curves and test evaluation (${width} px)`, async () => {
        const run = await stored(fixtureRun.id);
        const testEvaluation = run.evaluations.find((e) => e.split === "test")!;
        const test = testEvaluation.metrics;
        const url = `${dashboard.app.baseUrl}/runs/${run.id}`;
        await onPage(dashboard, url, { width, name: `run-${fixtureRun.name}` }, async (page) => {
          expect(await page.getByTestId("run-name").textContent()).toContain(run.name);
          expectPercent(await page.getByTestId("run-accuracy").textContent(), test.accuracy);
          expect(test.accuracy).toBe(fixtureRun.accuracy);
          expect(await page.getByTestId("run-best-epoch").textContent()).toBe(String(run.bestEpoch));
          expect(await page.getByTestId("run-epochs").textContent()).toBe(
            `${run.epochsDone}/${run.epochsPlanned}`,
          );
          expect(await page.getByTestId("run-prediction-count").textContent()).toBe(
            run.predictionCount.toLocaleString("en-US"),
          );
          expect(await page.getByTestId("run-backend").textContent()).toBe(run.backend);
          expect(await page.getByTestId("run-seed").textContent()).toBe(String(run.seed));
          expect(await page.getByTestId("run-fingerprint").textContent()).toBe(run.datasetFingerprint);
          for (const phase of Object.keys(run.timings ?? {})) {
            expect(await page.getByTestId("run-timings").textContent()).toContain(phase);
          }

          // Curves: train and validation per panel, the stored best epoch marked.
          const curves = await page.getByTestId("training-curves").innerHTML();
          const by =
            run.config.training.checkpointMonitor === "val_loss"
              ? "lowest validation loss"
              : "highest validation accuracy";
          expect(curves).toContain(`Best epoch ${run.bestEpoch} (${by})`);
          expect(curves.match(/<polyline /g)).toHaveLength(4);

          // Evaluation: the headline figures, every confusion-matrix cell and every report number.
          expectPercent(await page.getByTestId("eval-accuracy").textContent(), test.accuracy);
          expectFixed(await page.getByTestId("eval-loss").textContent(), test.loss, 5);
          expectFixed(await page.getByTestId("eval-auc").textContent(), test.macroAuc!, 4);
          const cells = page.getByTestId("confusion-cell");
          expect(await cells.count()).toBe(test.classNames.length ** 2);
          for (const [i, row] of test.confusionMatrix.entries()) {
            for (const [j, count] of row.entries()) {
              const cell = page.locator(`[data-testid="confusion-cell"][data-row="${i}"][data-col="${j}"]`);
              expect(await cell.getAttribute("data-count")).toBe(String(count));
              expect((await cell.textContent())?.startsWith(String(count))).toBe(true);
            }
          }
          // The stored 95% intervals of the test metrics, and how they were drawn.
          const intervals = testEvaluation.intervals!;
          expect(intervals.resamples).toBe(2000);
          expect(await texts(page.getByTestId("interval-accuracy").locator("td"))).toEqual([
            formatFixed(intervals.accuracy.estimate!, 4),
            `${formatFixed(intervals.accuracy.lower!, 4)} – ${formatFixed(intervals.accuracy.upper!, 4)}`,
            "",
          ]);
          expect(await page.getByTestId("intervals-method").textContent()).toBe(describeBootstrap(intervals));
          const report = page.getByTestId("report-table");
          for (const c of test.report.classes) {
            const cellsOfClass = await texts(
              report.locator(`[data-testid="report-row"][data-class="${c.name}"] td`),
            );
            expect(cellsOfClass).toEqual([
              formatFixed(c.precision, 4),
              formatFixed(c.recall, 4),
              formatFixed(c.f1, 4),
              String(c.support),
            ]);
          }
          for (const [label, scores] of [
            ["macro avg", test.report.macroAvg],
            ["weighted avg", test.report.weightedAvg],
          ] as const) {
            expect(
              await texts(report.locator(`[data-testid="report-row"][data-class="${label}"] td`)),
            ).toEqual([
              formatFixed(scores.precision, 4),
              formatFixed(scores.recall, 4),
              formatFixed(scores.f1, 4),
              String(scores.support),
            ]);
          }
          expect(await texts(report.getByTestId("report-accuracy").locator("td"))).toEqual([
            "",
            "",
            formatFixed(test.report.accuracy, 4),
            String(test.count),
          ]);
          const roc = await page.getByTestId("roc-curves").innerHTML();
          for (const [c, name] of test.classNames.entries()) {
            const auc = test.roc[c]!.auc;
            expect(roc).toContain(`${name} (AUC ${auc === null ? "undefined" : auc.toFixed(4)})`);
          }
          expect(await page.getByTestId("reliability-diagram").innerHTML()).toContain(
            `Reliability diagram (ECE ${test.ece.toFixed(4)})`,
          );

          // Config: every leaf value as stored.
          const lr = page.locator(
            '[data-testid="config-row"][data-path="training.optimizer.learningRate"] td',
          );
          expect(await lr.textContent()).toBe(String(run.config.training.optimizer.learningRate));
          expect(await page.locator('[data-testid="config-row"][data-path="seed"] td').textContent()).toBe(
            String(run.seed),
          );

          const predictions = page.getByTestId("predictions-link");
          expect(await predictions.getAttribute("href")).toBe(`/runs/${run.id}/predictions`);
        });
      });
    }
  }

  it("adds and removes a tag and adds a note through the page, stored at once", async () => {
    const id = fixtureRuns[0]!.id;
    const tag = `web-test-${Date.now().toString(36)}`;
    const note = `Checked in the browser test at ${new Date().toISOString()}`;
    const { page, consoleErrors, close } = await dashboard.openPage({ width: 390 });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs/${id}`);
      await page.getByTestId("tag-input").fill(tag);
      await page.getByTestId("tag-add").click();
      const shown = page.locator(`[data-testid="run-tag"][data-tag="${tag}"]`);
      await shown.waitFor();
      expect(await page.getByTestId("tag-input").inputValue()).toBe("");
      expect((await stored(id)).tags).toContain(tag);

      await page.getByTestId("note-input").fill(note);
      await page.getByTestId("note-add").click();
      await page.getByTestId("run-note").filter({ hasText: note }).waitFor();
      expect((await stored(id)).notes.map((n) => n.body)).toContain(note);

      // Reloaded, both are still there: they came from the dashboard.store, not from the page's state.
      await page.reload();
      expect(await shown.isVisible()).toBe(true);
      expect(await page.getByTestId("run-note").filter({ hasText: note }).count()).toBe(1);

      await shown.getByTestId("remove-tag").click();
      await shown.waitFor({ state: "detached" });
      expect((await stored(id)).tags).not.toContain(tag);
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("answers 404 for a run that does not exist", async () => {
    const last = await dashboard.store.prisma.run.findFirstOrThrow({ orderBy: { id: "desc" } });
    const { page, close } = await dashboard.openPage({ width: 1280 });
    try {
      const response = await page.goto(`${dashboard.app.baseUrl}/runs/${last.id + 1000}`);
      expect(response?.status()).toBe(404);
    } finally {
      await close();
    }
  });
});
