/**
 * Reviews through the API on a real store: the worklist of a project's archive images a run
 * predicted (most urgent first, filtered, paged), a clinician's review and a second reader's, a
 * review again (one per reader per image, each version audited), the model kept when a new one
 * is promoted, labels outside the run's classes refused, and what the worklist refuses to whom.
 */
import { imageFileInfo } from "@cxrlab/core/data";
import { testConfig } from "@cxrlab/core/testing";
import {
  createRun,
  ingestImage,
  listProjectReviews,
  migrate,
  openStore,
  promoteRun,
  recordPredictions,
  type Store,
  updateRunStatus,
} from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";

const PROJECT = "ward";
const CLASSES = ["COVID", "Normal", "Viral Pneumonia"];

/** Probabilities per patient: the worklist must order them by the top non-Normal class. */
const CASES = [
  { patientId: "W-1", date: "2024-03-01", p: { COVID: 0.2, Normal: 0.7, "Viral Pneumonia": 0.1 } }, // urgency 0.2
  { patientId: "W-2", date: "2024-04-01", p: { COVID: 0.1, Normal: 0.3, "Viral Pneumonia": 0.6 } }, // 0.6
  { patientId: "W-3", date: "2024-05-01", p: { COVID: 0.9, Normal: 0.05, "Viral Pneumonia": 0.05 } }, // 0.9
  { patientId: "W-4", date: "2023-01-01", p: { COVID: 0.35, Normal: 0.4, "Viral Pneumonia": 0.25 } }, // 0.35
];

export function reviewsSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let runId: number;
  let projectId: number;
  let clinician: TestAccount;
  let secondReader: TestAccount;
  const imageOf = new Map<string, number>();

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    const run = await createRun(store, { config: testConfig(64), project: PROJECT });
    await updateRunStatus(store, run.id, "succeeded");
    runId = run.id;
    projectId = run.projectId!;
    const files = sampleImagePaths(2).map((s) => s.path);
    for (const [i, c] of CASES.entries()) {
      const file = files[i]!;
      const info = await imageFileInfo(file);
      const archived = await ingestImage(store, {
        patient: { patientId: c.patientId, name: `PATIENT^${i}`, project: PROJECT },
        study: { studyDate: new Date(`${c.date}T00:00:00Z`) },
        image: { ...info, location: file, sourceFormat: "png", sourceLocation: file },
      });
      imageOf.set(c.patientId, archived.imageId);
    }
    await recordPredictions(
      store,
      runId,
      CASES.map((c) => ({
        imageId: imageOf.get(c.patientId)!,
        probabilities: c.p,
        predictedLabel: Object.entries(c.p).sort((a, b) => b[1] - a[1])[0]![0],
      })),
    );
    clinician = await testAccount(store, "clinician", [PROJECT]);
    secondReader = await testAccount(store, "admin", [PROJECT]);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("lists the project's predicted archive images most urgent first, with the run's classes", async () => {
    const api = await callerAs(store, clinician);
    const list = await api.reviews.worklist({ projectId });
    expect(list.run).toEqual({ id: runId, name: expect.any(String), classNames: CLASSES });
    expect(list.items.map((i) => i.patient.patientId)).toEqual(["W-3", "W-2", "W-4", "W-1"]);
    expect(list.items.map((i) => i.urgency)).toEqual([0.9, 0.6, 0.35, 0.2]);
    expect(list.total).toBe(4);
    expect(list.items[0]!.studyDate).toEqual(new Date("2024-05-01T00:00:00Z"));
    // A list of identities is a patient-data view.
    const audit = await store.prisma.auditEvent.findFirstOrThrow({
      where: { actorId: clinician.userId, action: "patient.worklist" },
    });
    expect(audit.projectId).toBe(projectId);
  });

  it("filters by class, confidence and study date, and pages on the server", async () => {
    const api = await callerAs(store, clinician);
    const covid = await api.reviews.worklist({ projectId, predictedLabel: "COVID" });
    expect(covid.items.map((i) => i.patient.patientId)).toEqual(["W-3"]);
    const sure = await api.reviews.worklist({ projectId, minConfidence: 0.65 });
    expect(sure.items.map((i) => i.patient.patientId)).toEqual(["W-3", "W-1"]);
    const spring = await api.reviews.worklist({ projectId, from: "2024-04-01", to: "2024-05-01" });
    expect(spring.items.map((i) => i.patient.patientId)).toEqual(["W-3", "W-2"]);
    const second = await api.reviews.worklist({ projectId, page: 2, pageSize: 3 });
    expect(second.items.map((i) => i.patient.patientId)).toEqual(["W-1"]);
    expect(second.total).toBe(4);
  });

  it("records a review, audits it, and takes it off my unreviewed list only", async () => {
    const api = await callerAs(store, clinician);
    const [top] = (await api.reviews.worklist({ projectId })).items;
    const review = await api.reviews.submit({
      predictionId: top!.predictionId,
      label: "COVID",
      comment: " clear ",
    });
    expect(review).toMatchObject({
      imageId: top!.imageId,
      reviewerId: clinician.userId,
      label: "COVID",
      comment: "clear",
      runId,
      predictionId: top!.predictionId,
      predictedLabel: "COVID",
      confidence: 0.9,
    });
    const mine = await api.reviews.worklist({ projectId });
    expect(mine.items.map((i) => i.patient.patientId)).toEqual(["W-2", "W-4", "W-1"]);
    const reviewed = await api.reviews.worklist({ projectId, status: "reviewed" });
    expect(reviewed.items.map((i) => i.mine?.label)).toEqual(["COVID"]);
    const other = await (await callerAs(store, secondReader)).reviews.worklist({ projectId });
    expect(other.items.map((i) => i.patient.patientId)).toEqual(["W-3", "W-2", "W-4", "W-1"]);
    const event = await store.prisma.auditEvent.findFirstOrThrow({
      where: { actorId: clinician.userId, action: "review.create" },
    });
    expect(event).toMatchObject({ targetType: "image", targetId: String(top!.imageId), projectId });
    expect(event.details).toMatchObject({ label: "COVID", runId, predictionId: top!.predictionId });
  });

  it("lets a second reader review the same image, shows the disagreement, and updates a review in place", async () => {
    const imageId = imageOf.get("W-2")!;
    const first = await callerAs(store, clinician);
    const second = await callerAs(store, secondReader);
    const item = (await first.reviews.worklist({ projectId })).items.find((i) => i.imageId === imageId)!;
    await first.reviews.submit({ predictionId: item.predictionId, label: "Viral Pneumonia" });
    await second.reviews.submit({ predictionId: item.predictionId, label: "uncertain" });
    const seen = (await second.reviews.worklist({ projectId, status: "all" })).items.find(
      (i) => i.imageId === imageId,
    )!;
    expect(seen.reviews.map((r) => [r.reviewerEmail, r.label])).toEqual([
      [clinician.email, "Viral Pneumonia"],
      [secondReader.email, "uncertain"],
    ]);
    expect(seen.mine?.label).toBe("uncertain");
    expect(seen.disagreement).toBe(true);

    // Reviewing again replaces my review (still one row per reader), and the audit log keeps both.
    await second.reviews.submit({
      predictionId: item.predictionId,
      label: "Viral Pneumonia",
      comment: "on reflection",
    });
    expect(await store.prisma.review.count({ where: { imageId } })).toBe(2);
    const again = (await second.reviews.worklist({ projectId, status: "all" })).items.find(
      (i) => i.imageId === imageId,
    )!;
    expect(again.disagreement).toBe(false);
    const update = await store.prisma.auditEvent.findFirstOrThrow({
      where: { actorId: secondReader.userId, action: "review.update", targetId: String(imageId) },
    });
    expect(update.details).toMatchObject({
      label: "Viral Pneumonia",
      previousLabel: "uncertain",
      comment: "on reflection",
    });
  });

  it("refuses a label that is neither one of the run's classes nor uncertain, naming the allowed ones", async () => {
    const api = await callerAs(store, clinician);
    const [item] = (await api.reviews.worklist({ projectId })).items;
    await expect(
      api.reviews.submit({ predictionId: item!.predictionId, label: "Pneumothorax" }),
    ).rejects.toThrow(/label "Pneumothorax" is not one of "COVID", "Normal", "Viral Pneumonia", "uncertain"/);
    await expect(api.reviews.submit({ predictionId: 999_999, label: "COVID" })).rejects.toThrow(/not found/);
  });

  it("keeps the model a review was made against when another model is promoted and predicts", async () => {
    const newer = await createRun(store, { config: testConfig(64), project: PROJECT });
    await updateRunStatus(store, newer.id, "succeeded", { model: { location: "/nowhere", bytes: 1 } });
    await promoteRun(store, projectId, newer.id, null);
    const imageId = imageOf.get("W-3")!;
    await recordPredictions(store, newer.id, [
      {
        imageId,
        probabilities: { COVID: 0.1, Normal: 0.8, "Viral Pneumonia": 0.1 },
        predictedLabel: "Normal",
      },
    ]);
    const api = await callerAs(store, clinician);
    // The worklist now shows the default model's predictions; my review of the image still counts.
    const list = await api.reviews.worklist({ projectId, status: "all" });
    expect(list.run?.id).toBe(newer.id);
    expect(list.items.map((i) => i.imageId)).toEqual([imageId]);
    expect(list.items[0]!.mine).toMatchObject({
      label: "COVID",
      runId,
      predictedLabel: "COVID",
      confidence: 0.9,
    });
    const { reviews } = (await listProjectReviews(store, projectId))!;
    const w3 = reviews.find((r) => r.imageId === imageId)!;
    expect(w3).toMatchObject({ runId, predictedLabel: "COVID", agreesWithModel: true, patientId: "W-3" });
  });

  it("refuses the worklist and reviews to viewers and researchers, and to members of other projects", async () => {
    const item = (await (await callerAs(store, clinician)).reviews.worklist({ projectId, runId })).items[0]!;
    for (const role of ["viewer", "researcher"] as const) {
      const api = await callerAs(store, await testAccount(store, role, [PROJECT]));
      await expect(api.reviews.worklist({ projectId })).rejects.toThrow(
        /your role does not allow reviews.worklist/,
      );
      await expect(api.reviews.submit({ predictionId: item.predictionId, label: "COVID" })).rejects.toThrow(
        /your role does not allow reviews.submit/,
      );
    }
    const outsider = await callerAs(store, await testAccount(store, "clinician", ["elsewhere"]));
    await expect(outsider.reviews.worklist({ projectId })).rejects.toThrow(/does not allow/);
    await expect(
      outsider.reviews.submit({ predictionId: item.predictionId, label: "COVID" }),
    ).rejects.toThrow(/does not allow/);
  });
}
