/**
 * The patient page's PACS panel against a real Orthanc (authentication on, its password stored
 * encrypted by `cxrlab pacs add --password-stdin`): a clinician sees the study the PACS has and the
 * archive lacks, pulls it onto the timeline, and sends the shown model's results (a DICOM SR, checked
 * in Orthanc's own REST API); a viewer or researcher gets no patient page and so no panel.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDicom, TRANSFER_SYNTAX } from "@cxrlab/core/testing";
import { getPatientHistory } from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImagePaths } from "../api/fixture.ts";
import { parseJson, runCli } from "../helpers.ts";
import { type Orthanc, orthancInstalled, startOrthanc } from "../pacs/orthanc.ts";
import { fixture, privateDatabase, screenshot, testAccount, useDashboard } from "./harness.ts";

const PATIENT = "PACS-BRW-1";
const SIDE = 128;
const uid = (n: string) => `1.2.826.0.1.3680043.8.498.80.${n}`;
/** In the archive and on the PACS: the first; only on the PACS: the second. */
const STUDIES = [
  { study: uid("1"), date: "20240110", sop: uid("1.1.1") },
  { study: uid("2"), date: "20240620", sop: uid("2.1.1") },
];

async function studyDicom(n: number): Promise<Buffer> {
  const { study, date, sop } = STUDIES[n]!;
  const file = sampleImagePaths(2)[n]!.path;
  const pixels = await sharp(file).grayscale().resize(SIDE, SIDE, { fit: "fill" }).raw().toBuffer();
  return buildDicom({
    width: SIDE,
    height: SIDE,
    pixels: [...pixels],
    bitsAllocated: 8,
    transferSyntax: TRANSFER_SYNTAX.explicitLittle,
    window: { center: 128, width: 256 },
    attributes: {
      PatientID: PATIENT,
      PatientName: "Pacs^Brw",
      Modality: "DX",
      StudyInstanceUID: study,
      StudyDate: date,
      SeriesInstanceUID: `${study}.1`,
      SOPInstanceUID: sop,
      ViewPosition: "PA",
    },
  });
}

const skip = orthancInstalled();

describe.skipIf(skip)("the patient page's PACS panel", () => {
  const databaseUrl = privateDatabase();
  const dashboard = useDashboard({ databaseUrl });
  const work = mkdtempSync(path.join(tmpdir(), "cxrlab-pacs-panel-"));
  const env = { DATABASE_URL: databaseUrl, CXRLAB_IMAGE_STORE: path.join(work, "images") };
  const model = fixture().runs[0]!;
  let orthanc: Orthanc;
  let patientRow = 0;

  const cli = async (args: string[], answer?: string) => {
    let answered = false;
    const result = await runCli([...args, "--json"], {
      env,
      onStderr: (text, child) => {
        if (answer && !answered && text.includes("Password: ")) {
          answered = true;
          child.stdin!.end(`${answer}\n`);
        }
      },
    });
    if (result.code !== 0) throw new Error(`cxrlab ${args.join(" ")} failed:\n${result.stderr.slice(-3000)}`);
    return parseJson<Record<string, unknown>>(result);
  };

  beforeAll(async () => {
    orthanc = await startOrthanc();
    const inbox = path.join(work, "dicom");
    mkdirSync(inbox);
    for (const n of [0, 1]) {
      const bytes = await studyDicom(n);
      await orthanc.rest("POST", "/instances", bytes);
      if (n === 0) writeFileSync(path.join(inbox, "first.dcm"), bytes);
    }
    await cli(["ingest", inbox]);
    await cli(["predict", "--patient", PATIENT, "--model", String(model.id)]);
    await cli(
      ["pacs", "add", "orthanc", "--url", orthanc.dicomWeb, "--user", orthanc.user, "--password-stdin"],
      orthanc.password,
    );
    const history = await getPatientHistory(dashboard.store, { patientId: PATIENT });
    patientRow = history!.patient.id;
  });

  afterAll(async () => {
    await orthanc?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("lets a clinician pull the study the archive lacks onto the timeline and send the results", async () => {
    const clinician = await testAccount(dashboard.store, "clinician");
    const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({
      width: 1280,
      account: clinician,
    });
    try {
      const response = await page.goto(`${dashboard.app.baseUrl}/patients/${patientRow}`);
      expect(response?.status()).toBe(200);
      const panel = page.getByTestId("pacs");
      await panel.waitFor();
      const missing = panel.getByTestId("pacs-missing-study");
      await expect.poll(() => missing.count()).toBe(1);
      expect(await missing.first().textContent()).toContain(`study ${STUDIES[1]!.study}`);
      expect(await missing.first().textContent()).toContain("1 of 1 image not in the archive");
      expect(await page.getByTestId("study").count()).toBe(1);
      await screenshot(page, "pacs-panel-before-pull-1280");

      await panel.getByTestId("pacs-pull").click();
      await expect
        .poll(() => panel.getByTestId("pacs-pulled").textContent(), { timeout: 60_000 })
        .toBe("1 new, 0 already known, 0 rejected");
      await expect.poll(() => page.getByTestId("study").count(), { timeout: 30_000 }).toBe(2);
      await panel.getByTestId("pacs-in-sync").waitFor();
      const history = await getPatientHistory(dashboard.store, { patientId: PATIENT });
      expect(history!.studies.map((s) => s.studyInstanceUid)).toEqual(STUDIES.map((s) => s.study));

      const send = panel.getByTestId("pacs-push");
      expect(await send.textContent()).toContain(`#${model.id}`);
      await send.click();
      await expect
        .poll(() => panel.getByTestId("pacs-pushed").textContent(), { timeout: 120_000 })
        .toBe("1 report(s) sent, 0 already in the PACS");
      await screenshot(page, "pacs-panel-after-push-1280");

      // Orthanc's own view: an SR series in the predicted study, about its image.
      const series = await orthanc.rest<{ ParentStudy: string; Instances: string[] }[]>(
        "POST",
        "/tools/find",
        Buffer.from(JSON.stringify({ Level: "Series", Query: { Modality: "SR" }, Expand: true })),
      );
      expect(series).toHaveLength(1);
      const tags = await orthanc.rest<Record<string, string>>(
        "GET",
        `/instances/${series[0]!.Instances[0]}/simplified-tags`,
      );
      expect(tags).toMatchObject({ PatientID: PATIENT, StudyInstanceUID: STUDIES[0]!.study, Modality: "SR" });

      // Ticked, the Grad-CAM overlay goes too, as a Secondary Capture in the same study; the SR is there.
      await panel.getByTestId("pacs-push-gradcam").check();
      await send.click();
      await expect
        .poll(() => panel.getByTestId("pacs-pushed").textContent(), { timeout: 120_000 })
        .toBe("0 report(s) and 1 Grad-CAM overlay(s) sent, 1 already in the PACS");
      const captures = await orthanc.rest<{ ParentStudy: string; Instances: string[] }[]>(
        "POST",
        "/tools/find",
        Buffer.from(JSON.stringify({ Level: "Series", Query: { Modality: "OT" }, Expand: true })),
      );
      expect(captures.map((c) => [c.ParentStudy, c.Instances.length])).toEqual([[series[0]!.ParentStudy, 1]]);
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  for (const role of ["viewer", "researcher"] as const) {
    it(`shows a ${role} no PACS panel: the patient page is refused and the PACS is not asked`, async () => {
      const account = await testAccount(dashboard.store, role);
      const { page, close } = await dashboard.openPage({ width: 1280, account });
      const asked: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("pacs.")) asked.push(r.url());
      });
      try {
        const response = await page.goto(`${dashboard.app.baseUrl}/patients/${patientRow}`);
        expect(response?.status()).toBe(403);
        await page.getByTestId("forbidden").waitFor();
        await page.waitForLoadState("networkidle");
        expect(await page.getByTestId("pacs").count()).toBe(0);
        expect(asked).toEqual([]);
      } finally {
        await close();
      }
    });
  }
});
