// The dashboard's PACS procedures (pacs.holdings, pacs.pull, pacs.push) against a real Orthanc, as
// a clinician of the patient's project, and refused to a researcher and to another project.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDicom, CLASS_NAMES, TRANSFER_SYNTAX, testConfig } from "@cxrlab/core/testing";
import {
  addPacsSource,
  createRun,
  ingestContents,
  migrate,
  openStore,
  recordPredictions,
  type Store,
  updateRunStatus,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Orthanc, orthancInstalled, startOrthanc } from "../pacs/orthanc.ts";
import { callerAs, testAccount } from "./accounts.ts";
import { rejection } from "./router-suite.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-api-pacs-"));
const imageStore = path.join(tmp, "images");
// pacs.pull stores what it retrieves where the dashboard server would (core/paths imageStoreDir).
process.env.CXRLAB_IMAGE_STORE = imageStore;

const uid = (n: string) => `1.2.826.0.1.3680043.8.498.88.${n}`;
const dicom = (study: string, date: string, seed: number) =>
  buildDicom({
    width: 16,
    height: 16,
    pixels: Array.from({ length: 256 }, (_, i) => (i * seed) % 256),
    bitsAllocated: 8,
    transferSyntax: TRANSFER_SYNTAX.explicitLittle,
    attributes: {
      PatientID: "API-PACS",
      PatientName: "Api^Pat",
      StudyInstanceUID: uid(study),
      StudyDate: date,
      SeriesInstanceUID: uid(`${study}.1`),
      SOPInstanceUID: uid(`${study}.1.1`),
    },
  });

const skip = orthancInstalled();

describe.skipIf(skip)("PACS procedures against a real Orthanc", () => {
  let orthanc: Orthanc;
  let store: Store;
  let patientRow: number;
  beforeAll(async () => {
    orthanc = await startOrthanc();
    process.env.API_PACS_PASSWORD = orthanc.password;
    store = await openStore(`file:${path.join(tmp, "store.db")}`);
    await migrate(store);
    const archived = await dicom("1", "20240102", 3);
    await orthanc.rest("POST", "/instances", archived);
    await orthanc.rest("POST", "/instances", await dicom("2", "20240601", 7));
    const report = await ingestContents(store, [{ file: "archived.dcm", bytes: archived }], {
      imageStore,
      project: "ward",
    });
    expect(report.new).toHaveLength(1);
    patientRow = (await store.prisma.patient.findFirstOrThrow({ where: { patientId: "API-PACS" } })).id;
    const source = { url: orthanc.dicomWeb, authKind: "basic" as const, username: orthanc.user };
    await addPacsSource(store, {
      name: "ward-pacs",
      ...source,
      secretEnv: "API_PACS_PASSWORD",
      project: "ward",
    });
    await addPacsSource(store, {
      name: "ward-down",
      url: `http://127.0.0.1:${await freePort()}/dicom-web`,
      authKind: "none",
      project: "ward",
    });
    await addPacsSource(store, {
      name: "other-pacs",
      ...source,
      secretEnv: "API_PACS_PASSWORD",
      project: "other",
    });
  });
  afterAll(async () => {
    await store?.close();
    await orthanc?.stop();
  });

  it("shows a clinician what the PACS has that the archive lacks, pulls it, and sends results back", async () => {
    const clinician = await callerAs(store, await testAccount(store, "clinician", ["ward"]));
    const holdings = await clinician.pacs.holdings({ id: patientRow });
    expect(holdings.map((h) => h.source)).toEqual(["ward-down", "ward-pacs"]);
    expect(holdings[0]!.error).toMatch(/PACS ward-down \(.*\): cannot connect/);
    expect(holdings[1]!.studies?.map((s) => [s.studyInstanceUid, s.missing])).toEqual([
      [uid("1"), 0],
      [uid("2"), 1],
    ]);

    const pulled = await clinician.pacs.pull({ id: patientRow, source: "ward-pacs" });
    expect(pulled.new.map((n) => n.patientId)).toEqual(["API-PACS"]);
    const after = await clinician.pacs.holdings({ id: patientRow });
    expect(after[1]!.studies?.map((s) => s.missing)).toEqual([0, 0]);

    const down = await rejection(clinician.pacs.pull({ id: patientRow, source: "ward-down" }));
    expect(down.code).toBe("BAD_GATEWAY");
    expect(down.message).toMatch(/cannot connect/);
    // Another project's source is not this patient's to use, nor named.
    const other = await rejection(clinician.pacs.pull({ id: patientRow, source: "other-pacs" }));
    expect(other.code).toBe("NOT_FOUND");

    const modelDir = path.join(tmp, "model");
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(path.join(modelDir, "model.json"), "{}");
    writeFileSync(path.join(modelDir, "weights.bin"), Buffer.from([1, 2, 3]));
    const run = await createRun(store, {
      config: { ...testConfig(32), name: "ward-model" },
      project: "ward",
    });
    await updateRunStatus(store, run.id, "succeeded", { model: { location: modelDir, bytes: 3 } });
    const image = await store.prisma.image.findFirstOrThrow({ where: { sopInstanceUid: uid("2.1.1") } });
    const probabilities = Object.fromEntries(CLASS_NAMES.map((c, i) => [c, i === 1 ? 0.8 : 0.1]));
    await recordPredictions(store, run.id, [
      { imageId: image.id, probabilities, predictedLabel: CLASS_NAMES[1]! },
    ]);
    const pushed = await clinician.pacs.push({ id: patientRow, runId: run.id, source: "ward-pacs" });
    expect(pushed.pushed.map((p) => [p.studyInstanceUid, p.predictedClass])).toEqual([
      [uid("2"), CLASS_NAMES[1]],
    ]);
    const [study] = await orthanc.rest<{ ID: string }[]>("POST", "/tools/lookup", Buffer.from(uid("2")));
    const series = await orthanc.rest<{ MainDicomTags: { Modality: string } }[]>(
      "GET",
      `/studies/${study!.ID}/series`,
    );
    expect(series.map((s) => s.MainDicomTags.Modality).sort()).toEqual(["DX", "SR"]);
    const again = await clinician.pacs.push({ id: patientRow, runId: run.id, source: "ward-pacs" });
    expect(again.pushed).toEqual([]);
    expect(again.alreadyInPacs).toHaveLength(1);
  });

  it("refuses a researcher (no patient access) and a clinician of another project", async () => {
    const researcher = await callerAs(store, await testAccount(store, "researcher", ["ward"]));
    expect((await rejection(researcher.pacs.holdings({ id: patientRow }))).code).toBe("FORBIDDEN");
    const outsider = await callerAs(store, await testAccount(store, "clinician", ["other"]));
    expect((await rejection(outsider.pacs.holdings({ id: patientRow }))).code).toBe("FORBIDDEN");
    expect((await rejection(outsider.pacs.pull({ id: patientRow, source: "other-pacs" }))).code).toBe(
      "FORBIDDEN",
    );
  });
});
