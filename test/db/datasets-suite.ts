/**
 * Dataset versions in the store, on either provider: made from two readers' reviews (agreeing,
 * disagreeing, uncertain), numbered per name, identical content recognised by its fingerprint,
 * listed with counts per class, and recorded on the run that trains on one.
 */
import { imageFileInfo } from "@cxrlab/core/data";
import { testConfig } from "@cxrlab/core/testing";
import {
  createDatasetVersion,
  createRun,
  findDatasetVersion,
  getRun,
  ingestImage,
  listDatasetVersions,
  migrate,
  openStore,
  recordPredictions,
  type Store,
  submitReview,
} from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testAccount } from "../api/accounts.ts";
import { sampleImagePaths } from "../api/fixture.ts";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

export function datasetsSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  const samples = sampleImagePaths(2);

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    const run = await createRun(store, { config: testConfig(64), project: "ward" });
    const imageIds: number[] = [];
    for (const [i, s] of samples.entries()) {
      const archived = await ingestImage(store, {
        patient: { patientId: `D-${i + 1}`, issuer: i === 0 ? "HOSP" : "", project: "ward" },
        study: {},
        image: {
          ...(await imageFileInfo(s.path)),
          location: s.path,
          sourceFormat: "png",
          sourceLocation: s.path,
        },
      });
      imageIds.push(archived.imageId);
    }
    await recordPredictions(
      store,
      run.id,
      imageIds.map((imageId) => ({
        imageId,
        probabilities: { COVID: 0.4, Normal: 0.3, "Viral Pneumonia": 0.3 },
        predictedLabel: "COVID",
      })),
    );
    const rows = await store.prisma.prediction.findMany({
      where: { runId: run.id },
      orderBy: { imageId: "asc" },
    });
    const [a, b] = [
      await testAccount(store, "clinician", ["ward"]),
      await testAccount(store, "admin", ["ward"]),
    ];
    for (const [i, s] of samples.entries())
      await submitReview(store, { predictionId: rows[i]!.id, reviewerId: a.userId, label: s.label });
    // Second reader: agrees on image 0, disagrees on image 2, uncertain on image 4.
    await submitReview(store, { predictionId: rows[0]!.id, reviewerId: b.userId, label: samples[0]!.label });
    await submitReview(store, { predictionId: rows[2]!.id, reviewerId: b.userId, label: "COVID" });
    await submitReview(store, { predictionId: rows[4]!.id, reviewerId: b.userId, label: "uncertain" });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const make = (name: string, minReviewers = 1) =>
    createDatasetVersion(store, {
      project: "ward",
      name,
      fromReviews: { minReviewers },
      imageStore: "/nonexistent",
    });

  it("labels images whose readers agree, and counts the rest by reason", async () => {
    const { created, version, excluded } = await make("ward");
    expect(created).toBe(true);
    expect(version).toMatchObject({
      ref: "ward@1",
      images: 4,
      classes: { COVID: 2, Normal: 1, "Viral Pneumonia": 1 },
      sources: { review: 4 },
    });
    expect(excluded).toEqual({ "reviewers disagree": 1, uncertain: 1 });
    const detail = await findDatasetVersion(store, "ward", { name: "ward", version: 1 });
    expect(detail?.entries.map((e) => [e.patient, e.label, e.source]).sort()).toEqual([
      ["D-1^HOSP", "COVID", "review"],
      ["D-2", "COVID", "review"],
      ["D-4", "Normal", "review"],
      ["D-6", "Viral Pneumonia", "review"],
    ]);
  });

  it("recognises the same content by its fingerprint and numbers new content per name", async () => {
    const first = await make("ward");
    expect(first).toMatchObject({ created: false, version: { ref: "ward@1" } });
    const strict = await make("ward", 2);
    expect(strict).toMatchObject({ created: true, version: { ref: "ward@2", images: 1 } });
    expect(strict.excluded).toEqual({ "too few reviews": 3, "reviewers disagree": 1, uncertain: 1 });
    expect(strict.version.fingerprint).not.toBe(first.version.fingerprint);
    const other = await make("other");
    expect(other.version).toMatchObject({ ref: "other@1", fingerprint: first.version.fingerprint });
    const listed = await listDatasetVersions(store, { project: "ward" });
    expect(listed.map((v) => [v.ref, v.images])).toEqual([
      ["other@1", 4],
      ["ward@1", 4],
      ["ward@2", 1],
    ]);
    expect(await listDatasetVersions(store, { projectIds: [] })).toEqual([]);
  });

  it("records the version a run trains on", async () => {
    const version = await findDatasetVersion(store, "ward", { name: "ward", version: 2 });
    const run = await createRun(store, {
      config: testConfig(64),
      project: "ward",
      datasetVersionId: version!.id,
    });
    expect((await getRun(store, run.id))?.datasetVersion).toEqual({
      id: version!.id,
      name: "ward",
      version: 2,
      fingerprint: version!.fingerprint,
    });
    expect(
      (await listDatasetVersions(store, { project: "ward" })).find((v) => v.ref === "ward@2")?.runs,
    ).toBe(1);
  });
}
