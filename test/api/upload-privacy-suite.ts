/**
 * Uploads into one project must not tell the uploader about another project's patients: a patient
 * ID or study UID that belongs elsewhere is refused without naming that patient, its issuer or its
 * project, unless the uploader may read that project. `cxrlab ingest` (run by whoever holds the
 * database's credentials) keeps the detail.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { handleUpload, type UploadReport } from "@cxrlab/api/http";
import { buildDicom } from "@cxrlab/core/testing";
import {
  type IngestReport,
  ingestContents,
  ingestImage,
  migrate,
  openStore,
  type Store,
  sha256Of,
} from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";
import { ORIGIN } from "./sessions.ts";

/** Chest's patient and study: what an uploader of "other" must never be told about. */
const CHEST_PATIENT = { patientId: "CHEST-1", issuer: "HOSP-C" };
const CHEST_STUDY = "1.2.826.0.1.3680043.8.498.7.1";
const REFUSED_IN_OTHER =
  "not archived: its patient ID or study UID cannot be used in project other (an administrator of the archive can say why)";

const [sample] = sampleImagePaths(1).map((s) => readFileSync(s.path));
let side = 40;
/** A PNG no earlier upload had (its own size, so its own bytes). */
const freshPng = () => sharp(sample!).resize(side, ++side).png().toBuffer();

export function uploadPrivacySuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let dir: string;
  let otherClinician: TestAccount;
  let clinicianOfBoth: TestAccount;

  async function upload(
    account: TestAccount,
    bytes: Buffer,
    fields: Record<string, string>,
  ): Promise<{ status: number; report: UploadReport }> {
    const form = new FormData();
    for (const [key, value] of Object.entries({ project: "other", ...fields })) form.append(key, value);
    form.append("files", new Blob([bytes], { type: "application/octet-stream" }), "scan");
    const request = new Request(`${ORIGIN}/api/uploads`, {
      method: "POST",
      headers: Object.fromEntries(account.headers),
      body: form,
    });
    const response = await handleUpload(request, { store, imageStore: path.join(dir, "images") });
    return { status: response.status, report: (await response.json()) as UploadReport };
  }

  /** The one rejection of an upload that was refused. */
  const refusal = ({ status, report }: { status: number; report: UploadReport }) => {
    expect(status, JSON.stringify(report)).toBe(422);
    expect(report.new.length + report.known.length).toBe(0);
    return report.rejected.map((r) => r.reason);
  };

  const namesChest = (reasons: string[]) =>
    reasons.filter((reason) => /CHEST-1|HOSP-C|chest/i.test(reason) || reason.includes(CHEST_STUDY));

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-upload-privacy-"));
    const png = await freshPng();
    await ingestImage(store, {
      patient: { ...CHEST_PATIENT, name: "CHEST^PATIENT", project: "chest" },
      study: { studyInstanceUid: CHEST_STUDY },
      image: {
        sha256: sha256Of(png),
        location: "/archive/chest-1.png",
        format: "png",
        width: 40,
        height: 41,
        bytes: png.length,
        sourceFormat: "png",
        sourceLocation: "/archive/chest-1.png",
      },
    });
    otherClinician = await testAccount(store, "clinician", ["other"]);
    clinicianOfBoth = await testAccount(store, "clinician", ["other", "chest"]);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses another project's patient ID without saying where it is archived", async () => {
    const reasons = refusal(await upload(otherClinician, await freshPng(), CHEST_PATIENT));
    expect(reasons).toEqual([REFUSED_IN_OTHER]);
    expect(await store.prisma.patient.count()).toBe(1);
  });

  it("refuses another project's study UID without naming the patient it belongs to", async () => {
    const png = await freshPng();
    const reasons = refusal(
      await upload(otherClinician, png, { patientId: "OTHER-2", studyUid: CHEST_STUDY }),
    );
    expect(namesChest(reasons)).toEqual([]);
    expect(reasons).toEqual([REFUSED_IN_OTHER]);
    expect(await store.prisma.patient.count({ where: { patientId: "OTHER-2" } })).toBe(0);
  });

  it("refuses a DICOM of another project's study the same way, whatever its tags name", async () => {
    const dicom = await buildDicom({
      width: 8,
      height: 8,
      pixels: Array.from({ length: 64 }, (_, i) => i),
      bitsAllocated: 8,
      attributes: {
        PatientID: "OTHER-3",
        StudyInstanceUID: CHEST_STUDY,
        SOPInstanceUID: "1.2.826.0.1.3680043.8.498.7.99",
      },
    });
    const reasons = refusal(await upload(otherClinician, dicom, {}));
    expect(reasons).toEqual([REFUSED_IN_OTHER]);
  });

  it("tells an uploader who may read the other project what the conflict is", async () => {
    const patient = refusal(await upload(clinicianOfBoth, await freshPng(), CHEST_PATIENT));
    expect(patient).toEqual(["patient CHEST-1 (issuer HOSP-C) is archived in project chest, not other"]);
    const png = await freshPng();
    const study = refusal(
      await upload(clinicianOfBoth, png, { patientId: "OTHER-2", studyUid: CHEST_STUDY }),
    );
    expect(study).toEqual([`study ${CHEST_STUDY} already belongs to patient CHEST-1 (issuer HOSP-C)`]);
  });

  it("keeps every detail for `cxrlab ingest`, whose operator holds the database's credentials", async () => {
    const ingest = async (fields: Record<string, string>): Promise<IngestReport> =>
      ingestContents(store, [{ file: "scan.png", bytes: await freshPng(), fields }], {
        imageStore: path.join(dir, "images"),
        project: "other",
      });
    expect((await ingest(CHEST_PATIENT)).rejected.map((r) => r.reason)).toEqual([
      "patient CHEST-1 (issuer HOSP-C) is archived in project chest, not other",
    ]);
    expect(
      (await ingest({ patientId: "OTHER-2", studyUid: CHEST_STUDY })).rejected.map((r) => r.reason),
    ).toEqual([`study ${CHEST_STUDY} already belongs to patient CHEST-1 (issuer HOSP-C)`]);
  });
}
