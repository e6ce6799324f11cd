import type { Page, Response } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fixture } from "./harness.ts";
import { expectPercent, onPage, useDashboard, WIDTHS } from "./page-check.ts";

const { runs: fixtureRuns } = fixture();
/** The first Grad-CAM of a run loads its model and runs it backwards: allow it time. */
const GRADCAM_TIMEOUT_MS = 150_000;

function isGradCam(response: Response, runId: number, imageId: number, target: string): boolean {
  const url = new URL(response.url());
  return url.pathname === `/api/gradcam/${runId}/${imageId}` && url.searchParams.get("class") === target;
}

/** The parts of an <img> the checks read (this file compiles without the DOM's types). */
interface Img {
  naturalWidth: number;
  style: { opacity: string };
}

async function overlayState(page: Page) {
  const overlay = page.getByTestId("gradcam-overlay");
  return {
    visible: await overlay.isVisible(),
    opacity: await overlay.evaluate((img) => (img as unknown as Img).style.opacity),
    naturalWidth: await overlay.evaluate((img) => (img as unknown as Img).naturalWidth),
  };
}

describe("image page over the fixture store", () => {
  const dashboard = useDashboard();

  /** An image as many runs predicted as possible (the runs' test splits may differ). */
  async function sharedImage() {
    const [most] = await dashboard.store.prisma.prediction.groupBy({
      by: ["imageId"],
      _count: { runId: true },
      orderBy: [{ _count: { runId: "desc" } }, { imageId: "asc" }],
      take: 1,
    });
    return dashboard.store.prisma.image.findUniqueOrThrow({
      where: { id: most!.imageId },
      include: { predictions: { include: { run: true } } },
    });
  }

  for (const width of WIDTHS) {
    it(`shows the image large, every run's prediction, and the Grad-CAM overlay with its controls (${width} px)`, async () => {
      const image = await sharedImage();
      const runId = image.predictions[0]!.runId;
      expect(fixtureRuns.map((r) => r.id)).toContain(runId);
      const url = `${dashboard.app.baseUrl}/images/${image.id}?run=${runId}`;
      const heatmaps: Response[] = [];
      const beforeLoad = (page: Page) =>
        page.on("response", (r) => {
          if (new URL(r.url()).pathname.startsWith("/api/gradcam/")) heatmaps.push(r);
        });
      await onPage(dashboard, url, { width, name: "image", beforeLoad }, async (page) => {
        expect(await page.getByTestId("image-label").textContent()).toBe(image.label);

        // Every model's prediction for this image, as stored.
        const rows = page.getByTestId("image-prediction-row");
        expect(await rows.count()).toBe(image.predictions.length);
        for (const p of image.predictions) {
          const row = page.locator(`[data-testid="image-prediction-row"][data-run-id="${p.runId}"]`);
          expect(await row.textContent()).toContain(p.run.name);
          expect(await row.getByTestId("image-prediction-label").textContent()).toBe(p.predictedLabel);
          expectPercent(await row.getByTestId("image-prediction-confidence").textContent(), p.confidence);
        }

        // The original file, at its stored size.
        const large = page.getByTestId("image-large");
        await expect
          .poll(() => large.evaluate((img) => (img as unknown as Img).naturalWidth))
          .toBe(image.width);

        // The heatmap of the predicted class: a PNG from the app's route, laid over the image.
        const status = page.getByTestId("gradcam-status");
        await expect
          .poll(() => status.getAttribute("data-state"), { timeout: GRADCAM_TIMEOUT_MS })
          .toBe("loaded");
        const first = heatmaps.filter((r) => isGradCam(r, runId, image.id, "predicted"));
        expect(first).toHaveLength(1);
        expect(first[0]!.status()).toBe(200);
        expect(first[0]!.headers()["content-type"]).toBe("image/png");
        const before = await overlayState(page);
        expect(before).toEqual({ visible: true, opacity: "0.5", naturalWidth: Math.min(image.width, 1024) });

        // The toggle hides and shows it; the slider sets its opacity.
        const toggle = page.getByTestId("gradcam-toggle");
        await toggle.uncheck();
        expect((await overlayState(page)).visible).toBe(false);
        await toggle.check();
        expect((await overlayState(page)).visible).toBe(true);
        await page.getByTestId("gradcam-opacity").fill("0.8");
        expect((await overlayState(page)).opacity).toBe("0.8");

        // Another class: a new heatmap is fetched for it.
        const other = image.label ?? Object.keys(image.predictions[0]!.probabilities as object)[0]!;
        await page.getByTestId("gradcam-class").selectOption(other);
        await expect
          .poll(() => status.getAttribute("data-state"), { timeout: GRADCAM_TIMEOUT_MS })
          .toBe("loaded");
        const second = heatmaps.filter((r) => isGradCam(r, runId, image.id, other));
        expect(second).toHaveLength(1);
        expect(second[0]!.status()).toBe(200);
        expect(second[0]!.headers()["content-type"]).toBe("image/png");
        expect((await overlayState(page)).opacity).toBe("0.8");
      });
    });
  }

  it("opens from a card of the prediction browser", async () => {
    const run = fixtureRuns[0]!;
    await onPage(
      dashboard,
      `${dashboard.app.baseUrl}/runs/${run.id}/predictions`,
      { width: 390, name: "prediction-to-image" },
      async (page) => {
        const card = page.getByTestId("prediction-card").first();
        const imageId = await card.getAttribute("data-image-id");
        await card.click();
        await page.waitForURL(new RegExp(`/images/${imageId}\\?run=${run.id}$`));
        await page.getByTestId("image-prediction-row").first().waitFor();
        expect(
          await page.locator(`[data-testid="image-prediction-row"][data-run-id="${run.id}"]`).count(),
        ).toBe(1);
        await expect
          .poll(() => page.getByTestId("gradcam-status").getAttribute("data-state"), {
            timeout: GRADCAM_TIMEOUT_MS,
          })
          .toBe("loaded");
      },
    );
  });
});
