/**
 * patients.search and patients.get over a real store archived through @cxrlab/db's
 * ingestImage (real X-rays of the shared sample standing in for the DICOM renderings) and predicted
 * by two recorded runs. Every expectation is computed from the archive's spec below.
 */
import type { createCaller } from "@cxrlab/api";
import { imageFileInfo } from "@cxrlab/core/data";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRng } from "@cxrlab/core/random";
import { createRun, ingestImage, migrate, openStore, recordPredictions, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { patientModels, trendPoints } from "../../apps/web/src/patient-history.ts";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { adminOfEverything, callerAs, testAccount } from "./accounts.ts";
import { CLASSES, sampleImagePaths, seededProbabilities } from "./fixture.ts";
import { rejection } from "./router-suite.ts";

type Caller = ReturnType<typeof createCaller>;

interface StudySpec {
  uid: string;
  date: string | null;
  accession: string;
  description: string;
  images: number;
}

interface PatientSpec {
  patientId: string;
  issuer: string;
  name: string;
  birthDate: string | null;
  sex: string | null;
  studies: StudySpec[];
}

// PAT-A is issued by two hospitals (IDs collide across issuers); studies are given out of date order.
const ARCHIVE: PatientSpec[] = [
  {
    patientId: "PAT-B",
    issuer: "",
    name: "ROE^RICHARD",
    birthDate: null,
    sex: null,
    studies: [
      { uid: "1.2.826.5.0", date: "2024-03-03", accession: "B-1", description: "CHEST PA", images: 1 },
    ],
  },
  {
    patientId: "PAT-A",
    issuer: "HOSP1",
    name: "DOE^JANE",
    birthDate: "19700102",
    sex: "F",
    studies: [
      { uid: "1.2.826.3.1", date: "2024-05-02", accession: "A-2", description: "CHEST PA+LAT", images: 2 },
      { uid: "1.2.826.3.0", date: "2024-01-15", accession: "A-1", description: "CHEST AP", images: 1 },
      { uid: "1.2.826.3.2", date: null, accession: "A-3", description: "UNDATED", images: 1 },
    ],
  },
  {
    patientId: "PAT-A",
    issuer: "HOSP2",
    name: "SMITH^ANNA",
    birthDate: null,
    sex: "F",
    studies: [{ uid: "1.2.826.4.0", date: "2023-11-30", accession: "C-1", description: "CHEST", images: 1 }],
  },
];

interface Archived {
  spec: PatientSpec;
  id: number;
  /** Image ids per study uid, in ingest order. */
  images: Map<string, number[]>;
}

interface Recorded {
  runId: number;
  runName: string;
  imageId: number;
  predictedLabel: string;
  confidence: number;
  probabilities: Record<string, number>;
}

/** The patient's identity as the store should give it back. */
const identity = ({ spec, id }: Archived) => ({
  id,
  patientId: spec.patientId,
  issuer: spec.issuer,
  name: spec.name,
  birthDate: spec.birthDate,
  sex: spec.sex,
  // Ingested without a project: the default one.
  projectId: expect.any(Number),
});

const day = (date: string | null) => (date ? new Date(`${date}T00:00:00Z`) : null);

async function archive(store: Store): Promise<Archived[]> {
  const files = sampleImagePaths(3).map((f) => f.path);
  const archived: Archived[] = [];
  for (const spec of ARCHIVE) {
    const images = new Map<string, number[]>();
    let patientRef = 0;
    for (const study of spec.studies) {
      for (let k = 0; k < study.images; k++) {
        const file = files.shift()!;
        const info = await imageFileInfo(file);
        const result = await ingestImage(store, {
          patient: {
            patientId: spec.patientId,
            issuer: spec.issuer,
            name: spec.name,
            birthDate: spec.birthDate,
            sex: spec.sex,
          },
          study: {
            studyInstanceUid: study.uid,
            studyDate: day(study.date),
            accessionNumber: study.accession,
            description: study.description,
          },
          image: {
            ...info,
            location: file,
            sourceFormat: "png",
            sourceLocation: file,
            viewPosition: k === 0 ? "PA" : "LL",
          },
        });
        expect(result.status).toBe("new");
        patientRef = result.patientRef;
        images.set(study.uid, [...(images.get(study.uid) ?? []), result.imageId]);
      }
    }
    archived.push({ spec, id: patientRef, images });
  }
  return archived;
}

/** A run predicting the given images with seeded probabilities, as `cxrlab predict` records them. */
async function predict(store: Store, name: string, imageIds: number[], seed: number): Promise<Recorded[]> {
  const run = await createRun(store, { config: resolveConfig("quick", { name }), backend: "wasm", tags: [] });
  const rng = createRng(seed);
  const rows = imageIds.map((imageId, k) => {
    const p = seededProbabilities(rng, k % CLASSES.length, 0.7);
    const best = p.indexOf(Math.max(...p));
    return {
      imageId,
      predictedLabel: CLASSES[best]!,
      confidence: p[best]!,
      probabilities: Object.fromEntries(CLASSES.map((c, j) => [c, p[j]!])),
    };
  });
  await recordPredictions(store, run.id, rows);
  return rows.map((r) => ({ ...r, runId: run.id, runName: name }));
}

/** The patients procedures on a fresh archive, run against each provider by its own test file. */
export function patientsSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let api: Caller;
  let patients: Archived[];
  let predictions: Recorded[];
  const byKey = (patientId: string, issuer: string) =>
    patients.find((p) => p.spec.patientId === patientId && p.spec.issuer === issuer)!;

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    patients = await archive(store);
    const jane = byKey("PAT-A", "HOSP1");
    const all = [...jane.images.values()].flat();
    predictions = [
      ...(await predict(store, "model-old", all, 11)),
      // The newer model has seen only the latest visit so far.
      ...(await predict(store, "model-new", jane.images.get("1.2.826.3.1")!, 12)),
    ];
    api = await callerAs(store, await adminOfEverything(store));
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  describe("patients.search", () => {
    it("lists every patient by ID then issuer with study and image counts and the last study date", async () => {
      const result = await api.patients.search();
      expect(result).toMatchObject({ total: 3, page: 1, pageSize: 50 });
      expect(result.items.map((p) => [p.patientId, p.issuer])).toEqual([
        ["PAT-A", "HOSP1"],
        ["PAT-A", "HOSP2"],
        ["PAT-B", ""],
      ]);
      for (const item of result.items) {
        const patient = byKey(item.patientId, item.issuer);
        const { spec } = patient;
        const dates = spec.studies.flatMap((s) => (s.date ? [day(s.date)!.getTime()] : []));
        expect(item).toEqual({
          ...identity(patient),
          studyCount: spec.studies.length,
          imageCount: spec.studies.reduce((n, s) => n + s.images, 0),
          lastStudyDate: new Date(Math.max(...dates)),
        });
      }
    });

    it("finds patients by part of the ID or the name, in any case", async () => {
      const found = async (q: string) =>
        (await api.patients.search({ q })).items.map((p) => `${p.patientId}/${p.issuer}`);
      expect(await found("pat-a")).toEqual(["PAT-A/HOSP1", "PAT-A/HOSP2"]);
      expect(await found("T-B")).toEqual(["PAT-B/"]);
      expect(await found("doe")).toEqual(["PAT-A/HOSP1"]);
      expect(await found("  SMITH ")).toEqual(["PAT-A/HOSP2"]);
      expect(await api.patients.search({ q: "nobody" })).toMatchObject({ items: [], total: 0 });
    });

    it("pages", async () => {
      const second = await api.patients.search({ page: 2, pageSize: 2 });
      expect(second).toMatchObject({ total: 3, page: 2, pageSize: 2 });
      expect(second.items.map((p) => p.patientId)).toEqual(["PAT-B"]);
      expect((await api.patients.search({ page: 3, pageSize: 2 })).items).toEqual([]);
    });

    it("rejects a bad page or page size", async () => {
      for (const input of [{ page: 0 }, { pageSize: 0 }, { pageSize: 101 }, { page: 1.5 }]) {
        expect((await rejection(api.patients.search(input))).code).toBe("BAD_REQUEST");
      }
    });
  });

  describe("patients.get", () => {
    it("gives the identity and the studies by date, undated last, each image with every model's prediction", async () => {
      const jane = byKey("PAT-A", "HOSP1");
      const { spec, images } = jane;
      const history = await api.patients.get({ id: jane.id });
      expect(history.patient).toEqual(identity(jane));
      const expectedOrder = ["A-1", "A-2", "A-3"].map((a) => spec.studies.find((s) => s.accession === a)!);
      expect(
        history.studies.map((s) => [s.studyInstanceUid, s.studyDate, s.accessionNumber, s.description]),
      ).toEqual(expectedOrder.map((s) => [s.uid, day(s.date), s.accession, s.description]));
      for (const study of history.studies) {
        expect(study.images.map((i) => i.id)).toEqual(images.get(study.studyInstanceUid));
        for (const image of study.images) {
          const recorded = predictions.filter((p) => p.imageId === image.id);
          expect(image.predictions).toHaveLength(recorded.length);
          for (const r of recorded) {
            expect(image.predictions.find((p) => p.runId === r.runId)).toMatchObject({
              runName: r.runName,
              predictedLabel: r.predictedLabel,
              confidence: r.confidence,
              probabilities: r.probabilities,
            });
          }
        }
      }
    });

    it("keeps patients with the same ID from different issuers apart", async () => {
      const other = byKey("PAT-A", "HOSP2");
      const history = await api.patients.get({ id: other.id });
      expect(history.patient.name).toBe("SMITH^ANNA");
      expect(history.studies.map((s) => s.studyInstanceUid)).toEqual(["1.2.826.4.0"]);
      expect(history.studies[0]!.images[0]!.predictions).toEqual([]);
    });

    it("is NOT_FOUND for an unknown patient and BAD_REQUEST for a bad id", async () => {
      const missing = Math.max(...patients.map((p) => p.id)) + 1000;
      const err = await rejection(api.patients.get({ id: missing }));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toBe(`patient ${missing} not found`);
      for (const id of [0, -1, 1.5])
        expect((await rejection(api.patients.get({ id }))).code).toBe("BAD_REQUEST");
    });
  });

  describe("images.get of an archived image", () => {
    it("gives its study to who may read the patient, and neither the study nor any file path to a viewer", async () => {
      const imageId = byKey("PAT-A", "HOSP1").images.get("1.2.826.3.1")![0]!;
      const asAdmin = await api.images.get({ imageId });
      expect(asAdmin.studyId).toEqual(expect.any(Number));
      // A viewer reaches the image through model-old's predictions, not through the patient.
      const viewer = await callerAs(store, await testAccount(store, "viewer"));
      const asViewer = await viewer.images.get({ imageId });
      expect(asViewer.predictions.map((p) => p.runName).sort()).toEqual(["model-new", "model-old"]);
      expect(asViewer).toMatchObject({ id: imageId, studyId: null, sopInstanceUid: null });
      for (const got of [asAdmin, asViewer]) {
        expect(got).not.toHaveProperty("location");
        expect(got).not.toHaveProperty("sourceLocation");
      }
    });
  });

  describe("what the patient page derives from patients.get", () => {
    it("offers the most recent model first and draws one trend point per dated study it predicted", async () => {
      const jane = byKey("PAT-A", "HOSP1");
      const history = await api.patients.get({ id: jane.id });
      const models = patientModels(history);
      expect(models.map((m) => [m.runName, m.images])).toEqual([
        ["model-new", 2],
        ["model-old", 4],
      ]);

      const old = trendPoints(history, models[1]!.runId);
      // The undated study has no place on a time axis.
      expect(old.map((p) => p.date)).toEqual([day("2024-01-15"), day("2024-05-02")]);
      expect(old.map((p) => p.label)).toEqual(["A-1", "A-2"]);
      // A study's point is the mean over its images.
      const visit = jane.images.get("1.2.826.3.1")!;
      const rows = predictions.filter((p) => p.runName === "model-old" && visit.includes(p.imageId));
      for (const c of CLASSES) {
        const mean = (rows[0]!.probabilities[c]! + rows[1]!.probabilities[c]!) / 2;
        expect(old[1]!.probabilities[c]).toBeCloseTo(mean, 12);
      }
      expect(trendPoints(history, models[0]!.runId).map((p) => p.date)).toEqual([day("2024-05-02")]);
    });
  });
}
