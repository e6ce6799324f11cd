import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fixture } from "./harness.ts";
import { expectPercent, onPage, useDashboard, WIDTHS } from "./page-check.ts";

const { runs: fixtureRuns } = fixture();
const run = fixtureRuns[0]!;

interface Card {
  imageId: number;
  correct: string | null;
  confidence: number;
  trueLabel: string;
  predicted: string;
  shownConfidence: string;
  wrongStyle: boolean;
}

/** What the grid shows, card by card. */
async function cards(page: Page): Promise<Card[]> {
  return page.getByTestId("prediction-card").evaluateAll((nodes) =>
    nodes.map((n) => {
      const text = (id: string) => n.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? "";
      return {
        imageId: Number(n.getAttribute("data-image-id")),
        correct: n.getAttribute("data-correct"),
        confidence: Number(n.getAttribute("data-confidence")),
        trueLabel: text("prediction-true"),
        predicted: text("prediction-pred"),
        shownConfidence: text("prediction-confidence"),
        wrongStyle: n.classList.contains("wrong"),
      };
    }),
  );
}

describe("prediction browser over the fixture store", () => {
  const dashboard = useDashboard();

  const base = () => `${dashboard.app.baseUrl}/runs/${run.id}/predictions`;

  async function storedPredictions() {
    return dashboard.store.prisma.prediction.findMany({ where: { runId: run.id }, include: { image: true } });
  }

  for (const width of WIDTHS) {
    it(`shows every stored prediction with its labels and probability, wrong ones marked (${width} px)`, async () => {
      const stored = await storedPredictions();
      expect(stored.length).toBeGreaterThan(0);
      const byImage = new Map(stored.map((p) => [p.imageId, p]));
      await onPage(dashboard, base(), { width, name: "predictions" }, async (page) => {
        expect(await page.getByTestId("predictions-total").textContent()).toBe(String(stored.length));
        expect(await page.getByTestId("predictions-count").textContent()).toBe(String(stored.length));
        const shown = await cards(page);
        expect(shown).toHaveLength(Math.min(stored.length, 48));
        for (const card of shown) {
          const p = byImage.get(card.imageId)!;
          expect(card.predicted).toBe(p.predictedLabel);
          expect(card.trueLabel).toBe(p.image.label);
          expect(card.confidence).toBe(p.confidence);
          expectPercent(
            card.shownConfidence,
            (p.probabilities as Record<string, number>)[p.predictedLabel]!,
            1,
          );
          const wrong = p.image.label !== p.predictedLabel;
          expect(card.correct).toBe(String(!wrong));
          expect(card.wrongStyle).toBe(wrong);
        }
        // Most confident first by default.
        const confidences = shown.map((c) => c.confidence);
        expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
        // Every thumbnail loads (lazily, so each is scrolled into view; the harness fails on any 4xx/5xx).
        for (const img of await page.locator('[data-testid="prediction-card"] img').all()) {
          await img.scrollIntoViewIfNeeded();
          await expect
            .poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
            .toBeGreaterThan(0);
        }
      });
    });
  }

  it("filters misclassified ones, by true and predicted class and by confidence band, and sorts", async () => {
    const stored = await storedPredictions();
    const wrong = stored.filter((p) => p.image.label !== p.predictedLabel);
    const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({ width: 390 });
    try {
      await page.goto(base());
      await page.getByTestId("filter-misclassified").check();
      await page.waitForURL(/misclassified=1/);
      await expect.poll(async () => (await cards(page)).length).toBe(Math.min(wrong.length, 48));
      expect(await page.getByTestId("predictions-total").textContent()).toBe(String(wrong.length));
      for (const card of await cards(page)) {
        expect(card.correct).toBe("false");
        expect(card.trueLabel).not.toBe(card.predicted);
      }

      const trueClass = stored[0]!.image.label!;
      await page.getByTestId("filter-true").selectOption(trueClass);
      await page.waitForURL(/[?&]true=/);
      const url = new URL(page.url());
      expect(url.searchParams.get("misclassified")).toBe("1");
      expect(url.searchParams.get("true")).toBe(trueClass);
      const wrongOfClass = wrong.filter((p) => p.image.label === trueClass);
      await expect
        .poll(async () => (await cards(page)).map((c) => c.imageId).sort())
        .toEqual(wrongOfClass.map((p) => p.imageId).sort());

      const predicted = stored[0]!.predictedLabel;
      await page.goto(`${base()}?pred=${encodeURIComponent(predicted)}`);
      expect(await page.getByTestId("predictions-total").textContent()).toBe(
        String(stored.filter((p) => p.predictedLabel === predicted).length),
      );
      for (const card of await cards(page)) expect(card.predicted).toBe(predicted);

      // The "80–95%" band link sets both bounds in the URL.
      await page.goto(base());
      await page.getByTestId("confidence-bands").getByRole("link", { name: "80–95%" }).click();
      await page.waitForURL(/minConf=80&maxConf=95/);
      const inBand = stored.filter((p) => p.confidence >= 0.8 && p.confidence <= 0.95);
      await expect
        .poll(async () => page.getByTestId("predictions-total").textContent())
        .toBe(String(inBand.length));
      for (const card of await cards(page)) {
        expect(card.confidence).toBeGreaterThanOrEqual(0.8);
        expect(card.confidence).toBeLessThanOrEqual(0.95);
      }

      // Least confident first.
      await page.goto(base());
      await page.getByTestId("sort-dir").selectOption("asc");
      await page.waitForURL(/dir=asc/);
      const ascending = [...stored].map((p) => p.confidence).sort((a, b) => a - b);
      await expect
        .poll(async () => (await cards(page)).map((c) => c.confidence))
        .toEqual(ascending.slice(0, 48));
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  it("pages through the predictions in confidence order, the page size in the URL", async () => {
    const stored = await storedPredictions();
    const size = 7;
    expect(stored.length).toBeGreaterThan(size);
    // Ties in confidence may come in either order, so pages are compared as confidences.
    const order = stored.map((p) => p.confidence).sort((a, b) => b - a);
    const { page, close } = await dashboard.openPage({ width: 1280 });
    try {
      await page.goto(`${base()}?size=${size}`);
      expect((await cards(page)).map((c) => c.confidence)).toEqual(order.slice(0, size));
      expect(await page.getByTestId("pager-range").textContent()).toBe(
        `1–${size} of ${stored.length} predictions`,
      );
      const seen = new Set((await cards(page)).map((c) => c.imageId));
      await page.getByTestId("pager-next").click();
      await page.waitForURL(/page=2/);
      expect(new URL(page.url()).searchParams.get("size")).toBe(String(size));
      const second = await cards(page);
      expect(second.map((c) => c.confidence)).toEqual(order.slice(size, 2 * size));
      for (const card of second) expect(seen.has(card.imageId)).toBe(false);
      // The last page holds the rest.
      const last = Math.ceil(stored.length / size);
      await page.goto(`${base()}?size=${size}&page=${last}`);
      expect(await page.getByTestId("prediction-card").count()).toBe(stored.length - (last - 1) * size);
      expect(await page.getByTestId("pager-next").getAttribute("aria-disabled")).toBe("true");
    } finally {
      await close();
    }
  });
});
