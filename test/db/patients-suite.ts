import { createHash } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { experimentConfigSchema } from "@cxrlab/core/config";
import {
  createRun,
  discardUnused,
  getPatientHistory,
  type IngestInput,
  ingestImage,
  listPatients,
  migrate,
  openStore,
  patientImagesWithoutPrediction,
  putContent,
  recordPredictions,
  type Store,
  type StoredContent,
  upsertImage,
} from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

function dicom(
  name: string,
  patient: IngestInput["patient"],
  study: IngestInput["study"],
  sop: string | null = `1.2.3.${name}`,
): IngestInput {
  return {
    patient,
    study,
    image: {
      sha256: sha(name),
      location: `/store/${name}.png`,
      format: "png",
      width: 64,
      height: 48,
      bytes: 100,
      sopInstanceUid: sop,
      viewPosition: "PA",
      sourceFormat: "dicom",
      sourceLocation: `/store/${name}.dcm`,
    },
  };
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** The patient archive contract, run against each provider by its own test file. */
export function patientSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const alice = { patientId: "P1", issuer: "HOSP-A", name: "Doe^Alice", birthDate: "19700101", sex: "F" };

  it("archives patient -> study -> image, and the same content twice is one image", async () => {
    const first = await ingestImage(
      store,
      dicom("a1", alice, { studyInstanceUid: "1.9.2", studyDate: day("2024-03-01") }),
    );
    expect(first.status).toBe("new");
    const again = await ingestImage(store, dicom("a1", alice, { studyInstanceUid: "1.9.2" }));
    expect(again).toEqual({ ...first, status: "known" });
    // Same SOP instance with other bytes (re-encoded): still the one image.
    const reencoded = dicom("a1-other-bytes", alice, { studyInstanceUid: "1.9.2" }, "1.2.3.a1");
    expect(await ingestImage(store, reencoded)).toEqual({ ...first, status: "known" });
    expect(await store.prisma.image.count()).toBe(1);

    await ingestImage(store, dicom("a2", alice, { studyInstanceUid: "1.9.1", studyDate: day("2023-01-15") }));
    await ingestImage(store, dicom("a3", alice, { studyInstanceUid: "1.9.2" }));
    // The same patient ID from another hospital is another patient.
    await ingestImage(
      store,
      dicom(
        "b1",
        { patientId: "P1", issuer: "HOSP-B" },
        { studyInstanceUid: "2.1", studyDate: day("2022-05-05") },
      ),
    );
    expect(await store.prisma.patient.count()).toBe(2);
    expect(await store.prisma.study.count()).toBe(3);
  });

  it("refuses a study UID that belongs to another patient, writing nothing", async () => {
    const before = await store.prisma.image.count();
    await expect(
      ingestImage(store, dicom("c1", { patientId: "P9" }, { studyInstanceUid: "1.9.2" })),
    ).rejects.toThrow("study 1.9.2 already belongs to patient P1 (issuer HOSP-A)");
    expect(await store.prisma.image.count()).toBe(before);
    expect(await store.prisma.patient.count({ where: { patientId: "P9" } })).toBe(0);
  });

  it("groups PNG/JPEG without a study UID by patient, date and accession, with a 2.25 UID", async () => {
    const png = (name: string, date: string, accession: string | null = null): IngestInput => ({
      ...dicom(name, { patientId: "P2" }, { studyDate: day(date), accessionNumber: accession }, null),
    });
    const x = await ingestImage(store, png("p1", "2024-01-01"));
    const y = await ingestImage(store, png("p2", "2024-01-01"));
    const z = await ingestImage(store, png("p3", "2024-01-01", "ACC7"));
    expect(y.studyId).toBe(x.studyId);
    expect(z.studyId).not.toBe(x.studyId);
    const study = await store.prisma.study.findUniqueOrThrow({ where: { id: x.studyId } });
    expect(study.studyInstanceUid).toMatch(/^2\.25\.[1-9][0-9]{0,38}$/);
    const image = await store.prisma.image.findUniqueOrThrow({ where: { id: x.imageId } });
    expect(image.sopInstanceUid).toBeNull();
  });

  it("lists patients with counts and the last study date, searching ID or name", async () => {
    const all = await listPatients(store);
    expect(all.total).toBe(3);
    expect(all.items.map((p) => [p.patientId, p.issuer, p.studyCount, p.imageCount])).toEqual([
      ["P1", "HOSP-A", 2, 3],
      ["P1", "HOSP-B", 1, 1],
      ["P2", "", 2, 3],
    ]);
    expect(all.items[0]).toMatchObject({ name: "Doe^Alice", birthDate: "19700101", sex: "F" });
    expect(all.items[0]!.lastStudyDate).toEqual(day("2024-03-01"));
    expect((await listPatients(store, { q: "alice" })).items.map((p) => p.issuer)).toEqual(["HOSP-A"]);
    expect((await listPatients(store, { q: "p2" })).total).toBe(1);
    expect(await listPatients(store, { pageSize: 1, page: 2 })).toMatchObject({
      total: 3,
      items: [{ issuer: "HOSP-B" }],
    });
  });

  it("gives the timeline by study date with every run's predictions, and finds unpredicted images", async () => {
    await expect(getPatientHistory(store, { patientId: "P1" })).rejects.toThrow(
      'patient ID P1 is used by several issuers ("HOSP-A", "HOSP-B"): name one',
    );
    expect(await getPatientHistory(store, { patientId: "nobody" })).toBeNull();
    const history = await getPatientHistory(store, { patientId: "P1", issuer: "HOSP-A" });
    expect(history!.patient).toMatchObject({ patientId: "P1", issuer: "HOSP-A", name: "Doe^Alice" });
    expect(history!.studies.map((s) => [s.studyInstanceUid, s.studyDate])).toEqual([
      ["1.9.1", day("2023-01-15")],
      ["1.9.2", day("2024-03-01")],
    ]);
    expect(history!.studies[1]!.images.map((i) => i.sopInstanceUid)).toEqual(["1.2.3.a1", "1.2.3.a3"]);

    const config = experimentConfigSchema.parse({ name: "m", preset: "quick" });
    const run = await createRun(store, { config });
    const patientRef = history!.patient.id;
    const todo = await patientImagesWithoutPrediction(store, patientRef, run.id);
    expect(todo.map((i) => i.sopInstanceUid)).toEqual(["1.2.3.a2", "1.2.3.a1", "1.2.3.a3"]);
    const probabilities = { COVID: 0.1, Normal: 0.7, "Viral Pneumonia": 0.2 };
    await recordPredictions(store, run.id, [
      { imageId: todo[0]!.id, probabilities, predictedLabel: "Normal" },
    ]);
    expect((await patientImagesWithoutPrediction(store, patientRef, run.id)).length).toBe(2);
    const after = await getPatientHistory(store, { id: patientRef });
    expect(after!.studies[0]!.images[0]!.predictions).toEqual([
      expect.objectContaining({
        runId: run.id,
        runName: "m",
        predictedLabel: "Normal",
        confidence: 0.7,
        probabilities,
      }),
    ]);
  });

  it("lets an image first stored by training join the archive", async () => {
    const plain = await upsertImage(store, {
      sha256: sha("t1"),
      location: "/data/t1.png",
      format: "png",
      width: 8,
      height: 8,
      bytes: 10,
      label: "COVID",
    });
    const joined = await ingestImage(store, dicom("t1", { patientId: "P3" }, { studyInstanceUid: "3.1" }));
    expect(joined).toMatchObject({ status: "new", imageId: plain.id });
    const row = await store.prisma.image.findUniqueOrThrow({ where: { id: plain.id } });
    expect(row).toMatchObject({ studyId: joined.studyId, label: "COVID", sourceFormat: "dicom" });
  });

  it("keeps a patient's first demographics: a later image's other values are conflicts, empty ones are filled", async () => {
    const patient = { patientId: "P4", issuer: "HOSP-D" };
    const first = await ingestImage(
      store,
      dicom("d1", { ...patient, name: "Roe^Ann", sex: "F" }, { studyInstanceUid: "4.1" }),
    );
    expect(first).toMatchObject({ status: "new", conflicts: [], filled: [] });
    const later = await ingestImage(
      store,
      dicom(
        "d2",
        { ...patient, name: "Roe^Anne", birthDate: "19800101", sex: "M" },
        { studyInstanceUid: "4.1" },
      ),
    );
    expect(later.status).toBe("new");
    expect(later.conflicts).toEqual([
      { field: "name", kept: "Roe^Ann", refused: "Roe^Anne" },
      { field: "sex", kept: "F", refused: "M" },
    ]);
    expect(later.filled).toEqual([{ field: "birthDate", value: "19800101" }]);
    const row = await store.prisma.patient.findUniqueOrThrow({
      where: { patientId_issuer: { patientId: "P4", issuer: "HOSP-D" } },
    });
    expect(row).toMatchObject({ name: "Roe^Ann", birthDate: "19800101", sex: "F" });
    // The same values again, or none at all: nothing to report.
    const same = await ingestImage(
      store,
      dicom("d3", { ...patient, name: "Roe^Ann", sex: "" }, { studyInstanceUid: "4.1" }),
    );
    expect(same).toMatchObject({ status: "new", conflicts: [], filled: [] });
  });

  it("never commits an image whose content-store file a failed ingest of the same bytes discarded", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "cxrlab-race-"));
    const bytes = (n: number) => Buffer.from(`racing bytes ${n} ${store.target.provider}`);
    const png = (content: StoredContent, patientId: string, ensure: () => Promise<void>): IngestInput => ({
      patient: { patientId },
      study: { studyDate: day("2024-05-05") },
      image: {
        sha256: content.sha256,
        location: content.location,
        format: "png",
        width: 8,
        height: 8,
        bytes: 20,
        sourceFormat: "png",
        sourceLocation: content.location,
      },
      content: { sha256s: [content.sha256], ensure },
    });
    const committedFilesExist = async () => {
      const rows = await store.prisma.image.findMany({ where: { location: { startsWith: root } } });
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(existsSync(row.location), row.location).toBe(true);
    };

    // 1. Ingest A writes the file and fails; B finds the file already there (writes nothing); A
    //    discards it before B's transaction: B must not commit a row pointing at nothing.
    const a1 = await putContent(root, bytes(1), "png");
    const b1 = await putContent(root, bytes(1), "png");
    expect([a1.created, b1.created]).toEqual([true, false]);
    await discardUnused(store, [a1]);
    await ingestImage(
      store,
      png(b1, "RACE-1", async () => {
        await putContent(root, bytes(1), "png");
      }),
    );
    await committedFilesExist();

    // 2. A discards while B's transaction is between making sure of its file and committing.
    const a2 = await putContent(root, bytes(2), "png");
    let discarding: Promise<void> | undefined;
    await ingestImage(
      store,
      png(a2, "RACE-2", async () => {
        await putContent(root, bytes(2), "png");
        discarding = discardUnused(store, [a2]);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }),
    );
    await discarding;
    await committedFilesExist();
  });
}
