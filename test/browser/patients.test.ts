/**
 * The patient pages over an archive built the way a hospital user builds one: DICOM files made in
 * code (real X-rays of the shared sample as 12-bit pixels with a VOI window), taken in with
 * `cxrlab ingest`, predicted with `cxrlab predict --patient` by the fixture's trained models, in a
 * private copy of the fixture store. The pages are checked against the store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDicom } from "@cxrlab/core/testing";
import { getPatientHistory, listPatients, type PatientHistory } from "@cxrlab/db";
import type { Page, Response } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImagePaths } from "../api/fixture.ts";
import { parseJson, runCli } from "../helpers.ts";
import { fixture, privateDatabase, useDashboard } from "./harness.ts";
import { expectPercent, onPage, texts, WIDTHS } from "./page-check.ts";

/** The first Grad-CAM of a run loads its model and runs it backwards: allow it time. */
const GRADCAM_TIMEOUT_MS = 150_000;
const SIDE = 256;

interface VisitSpec {
  date: string;
  accession: string;
  description: string;
  views: string[];
}

interface PatientSpec {
  patientId: string;
  issuer: string;
  name: string;
  visits: VisitSpec[];
}

// Visits listed out of date order: the timeline must sort them.
const PATIENTS: PatientSpec[] = [
  {
    patientId: "BRW-001",
    issuer: "CXRLAB-TEST",
    name: "DOE^JANE",
    visits: [
      { date: "20240502", accession: "ACC-102", description: "CHEST PA AND LATERAL", views: ["PA", "LL"] },
      { date: "20240115", accession: "ACC-101", description: "CHEST AP PORTABLE", views: ["AP"] },
      { date: "20240920", accession: "ACC-103", description: "CHEST PA", views: ["PA"] },
    ],
  },
  {
    patientId: "BRW-002",
    issuer: "CXRLAB-TEST",
    name: "ROE^RICHARD",
    visits: [{ date: "20230601", accession: "ACC-201", description: "CHEST PA", views: ["PA"] }],
  },
];

const isoDay = (da: string) => `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;

/** A sample X-ray as 12-bit stored values (gray × 16) of a SIDE × SIDE DICOM image. */
async function xrayPixels(file: string): Promise<number[]> {
  const gray = await sharp(file).grayscale().resize(SIDE, SIDE, { fit: "fill" }).raw().toBuffer();
  return Array.from(gray, (v) => v * 16);
}

/** Writes the patients' DICOM files (one per view) into `dir`, numbered so that the folder order is no date order. */
async function writeArchive(dir: string): Promise<number> {
  const sources = sampleImagePaths(2).map((f) => f.path);
  let n = 0;
  for (const [p, patient] of PATIENTS.entries()) {
    for (const [s, visit] of patient.visits.entries()) {
      const study = `1.2.826.0.1.3680043.8.498.77.${p + 1}.${s + 1}`;
      for (const [i, view] of visit.views.entries()) {
        const bytes = await buildDicom({
          width: SIDE,
          height: SIDE,
          pixels: await xrayPixels(sources[n % sources.length]!),
          bitsAllocated: 16,
          bitsStored: 12,
          window: { center: 2040, width: 4080 },
          attributes: {
            PatientID: patient.patientId,
            IssuerOfPatientID: patient.issuer,
            PatientName: patient.name,
            StudyInstanceUID: study,
            SOPInstanceUID: `${study}.${i + 1}`,
            StudyDate: visit.date,
            AccessionNumber: visit.accession,
            StudyDescription: visit.description,
            ViewPosition: view,
          },
        });
        n += 1;
        writeFileSync(path.join(dir, `img-${String(n).padStart(2, "0")}.dcm`), bytes);
      }
    }
  }
  return n;
}

async function cli(args: string[], env: Record<string, string>) {
  const result = await runCli([...args, "--json"], { env });
  if (result.code !== 0) {
    throw new Error(`cxrlab ${args.join(" ")} failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
  }
  return parseJson<Record<string, unknown>>(result);
}

function isGradCam(response: Response): boolean {
  return new URL(response.url()).pathname.startsWith("/api/gradcam/");
}

/** The trend chart's dots of one class, as (class, date) attributes in drawing order. */
async function trendDots(page: Page, className: string): Promise<string[]> {
  return page
    .getByTestId("probability-trend")
    .locator(`circle[data-class="${className}"]`)
    .evaluateAll((dots) => dots.map((d) => d.getAttribute("data-date") ?? ""));
}

describe("patient pages over an archive ingested from DICOM", () => {
  const databaseUrl = privateDatabase();
  const dashboard = useDashboard({ databaseUrl });
  const { runs } = fixture();
  // Predicted in this order, so the later one is the page's default model.
  const [older, latest] = [runs[1]!, runs[0]!];
  const work = mkdtempSync(path.join(tmpdir(), "cxrlab-patients-"));
  let files = 0;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const inbox = path.join(work, "dicom");
    mkdirSync(inbox);
    files = await writeArchive(inbox);
    const env = { DATABASE_URL: databaseUrl, CXRLAB_IMAGE_STORE: path.join(work, "images") };
    await cli(["ingest", inbox], env);
    await cli(["predict", "--patient", "BRW-001", "--model", String(older.id)], env);
    for (const patient of PATIENTS) {
      await cli(["predict", "--patient", patient.patientId, "--model", String(latest.id)], env);
    }
  });

  async function history(patientId: string): Promise<PatientHistory> {
    const found = await getPatientHistory(dashboard.store, { patientId, issuer: "CXRLAB-TEST" });
    if (!found) throw new Error(`patient ${patientId} is not in the store`);
    return found;
  }

  it("archived every file under its patient and study, with the DICOM dates", async () => {
    const { items } = await listPatients(dashboard.store, { q: "BRW-" });
    expect(items.map((p) => p.patientId)).toEqual(["BRW-001", "BRW-002"]);
    let images = 0;
    for (const spec of PATIENTS) {
      const { studies } = await history(spec.patientId);
      const days = spec.visits.map((v) => isoDay(v.date)).sort();
      expect(studies.map((s) => s.studyDate?.toISOString().slice(0, 10))).toEqual(days);
      images += studies.reduce((n, s) => n + s.images.length, 0);
    }
    expect(images).toBe(files);
  });

  it("finds a patient by name and opens the patient page from the list", async () => {
    const jane = await history("BRW-001");
    const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({ width: 390 });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      await page.getByTestId("main-nav").getByRole("link", { name: "Patients" }).click();
      await page.waitForURL(/\/patients$/);
      await page.getByTestId("patient-search").fill("doe");
      await page.getByTestId("patient-search").press("Enter");
      await page.waitForURL(/\/patients\?q=doe$/);
      const rows = page.getByTestId("patient-row");
      await expect.poll(() => rows.count()).toBe(1);
      const row = rows.first();
      expect(await row.getAttribute("data-patient-id")).toBe(String(jane.patient.id));
      expect(await row.getByTestId("patient-link").textContent()).toBe("BRW-001");
      expect(await row.getByTestId("patient-issuer").textContent()).toBe("CXRLAB-TEST");
      expect(await row.getByTestId("patient-name").textContent()).toBe("DOE, JANE");
      expect(await row.getByTestId("patient-studies").textContent()).toBe(String(jane.studies.length));
      expect(await row.getByTestId("patient-images").textContent()).toBe(
        String(jane.studies.reduce((n, s) => n + s.images.length, 0)),
      );
      expect(await row.getByTestId("patient-last-study").textContent()).toBe("2024-09-20");
      await row.getByTestId("patient-link").click();
      await page.waitForURL(new RegExp(`/patients/${jane.patient.id}$`));
      expect(await page.getByTestId("patient-id").textContent()).toBe("BRW-001");
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  for (const width of WIDTHS) {
    it(`shows the studies on a timeline with each model's predictions and the probability trend (${width} px)`, async () => {
      const jane = await history("BRW-001");
      const url = `${dashboard.app.baseUrl}/patients/${jane.patient.id}`;
      const heatmaps: Response[] = [];
      const beforeLoad = (page: Page) =>
        page.on("response", (r) => {
          if (isGradCam(r)) heatmaps.push(r);
        });
      await onPage(dashboard, url, { width, name: "patient", beforeLoad }, async (page) => {
        expect(await page.getByTestId("patient-issuer").textContent()).toBe("CXRLAB-TEST");

        // The timeline: the store's studies, by date.
        const shownDates = await texts(page.getByTestId("study-date"));
        const storedDates = jane.studies.map((s) => s.studyDate!.toISOString().slice(0, 10));
        expect(shownDates).toEqual(storedDates);
        expect(shownDates).toEqual([...shownDates].sort());
        const studies = page.getByTestId("study");
        expect(await studies.count()).toBe(jane.studies.length);
        for (const [k, study] of jane.studies.entries()) {
          const item = studies.nth(k);
          expect(await item.getByTestId("study-accession").textContent()).toContain(study.accessionNumber!);
          expect(await item.getByTestId("study-description").textContent()).toBe(study.description);
          const images = item.getByTestId("patient-image");
          expect(
            await images.evaluateAll((n) => n.map((e) => Number(e.getAttribute("data-image-id")))),
          ).toEqual(study.images.map((i) => i.id));
          for (const image of study.images) {
            const card = item.locator(`[data-testid="patient-image"][data-image-id="${image.id}"]`);
            // Linked to the image page with the default (latest) model's heatmap.
            expect(await card.getByTestId("patient-thumbnail").getAttribute("href")).toBe(
              `/images/${image.id}?run=${latest.id}`,
            );
            // Every model's prediction for the image, as stored.
            const rows = card.getByTestId("patient-prediction");
            expect(await rows.count()).toBe(image.predictions.length);
            expect(image.predictions.map((p) => p.runId).sort()).toEqual([older.id, latest.id].sort());
            for (const p of image.predictions) {
              const row = card.locator(`[data-testid="patient-prediction"][data-run-id="${p.runId}"]`);
              expect(await row.getByTestId("patient-prediction-run").textContent()).toBe(p.runName);
              expect(await row.getByTestId("patient-prediction-label").textContent()).toBe(p.predictedLabel);
              expectPercent(
                await row.getByTestId("patient-prediction-confidence").textContent(),
                p.confidence,
                1,
              );
            }
          }
        }

        // The trend of the latest model: one dot per study for every class, in date order.
        expect(await page.getByTestId("trend-model").inputValue()).toBe(String(latest.id));
        const classes = Object.keys(jane.studies[0]!.images[0]!.predictions[0]!.probabilities);
        expect(classes.length).toBeGreaterThan(1);
        for (const c of classes) expect(await trendDots(page, c)).toEqual(storedDates);
        expect(await page.getByTestId("probability-trend").locator("polyline").count()).toBe(classes.length);

        // No heatmap is computed until asked for.
        expect(heatmaps).toEqual([]);
        if (width === 1280) {
          await page.getByTestId("heatmap-toggle").check();
          const overlays = page.getByTestId("patient-heatmap");
          const imageCount = jane.studies.reduce((n, s) => n + s.images.length, 0);
          expect(await overlays.count()).toBe(imageCount);
          await expect
            .poll(() => overlays.evaluateAll((n) => n.map((e) => e.getAttribute("data-state"))), {
              timeout: GRADCAM_TIMEOUT_MS,
            })
            .toEqual(Array(imageCount).fill("loaded"));
          expect(heatmaps).toHaveLength(imageCount);
          for (const r of heatmaps) {
            expect(new URL(r.url()).pathname).toMatch(new RegExp(`^/api/gradcam/${latest.id}/\\d+$`));
            expect(r.status()).toBe(200);
            expect(r.headers()["content-type"]).toBe("image/png");
          }
        }
      });
    });
  }

  it("draws the trend of another model when picked, and of a one-study patient", async () => {
    const jane = await history("BRW-001");
    const richard = await history("BRW-002");
    const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({ width: 390 });
    try {
      await page.goto(`${dashboard.app.baseUrl}/patients/${jane.patient.id}`);
      await page.getByTestId("trend-model").selectOption(String(older.id));
      await page.waitForURL(new RegExp(`\\?model=${older.id}$`));
      const figure = page.getByTestId("probability-trend");
      await expect
        .poll(() => figure.locator("text").first().textContent())
        .toBe(`#${older.id} ${older.name}`);
      const dates = jane.studies.map((s) => s.studyDate!.toISOString().slice(0, 10));
      const [first] = Object.keys(jane.studies[0]!.images[0]!.predictions[0]!.probabilities);
      expect(await trendDots(page, first!)).toEqual(dates);
      // The thumbnails now link to the picked model's view.
      const image = jane.studies[0]!.images[0]!;
      expect(
        await page
          .locator(`[data-testid="patient-image"][data-image-id="${image.id}"]`)
          .getByTestId("patient-thumbnail")
          .getAttribute("href"),
      ).toBe(`/images/${image.id}?run=${older.id}`);

      // One model only: no selector; one study: one dot per class.
      await page.goto(`${dashboard.app.baseUrl}/patients/${richard.patient.id}`);
      expect(await page.getByTestId("trend-model").count()).toBe(0);
      expect(await trendDots(page, first!)).toEqual(["2023-06-01"]);
      expect(await texts(page.getByTestId("study-date"))).toEqual(["2023-06-01"]);
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });
});
