/**
 * Monitoring through the API on a real store: a project's default model predicted its arriving
 * archive images (real X-rays of the shared sample in one week, tool-made larger, brighter 16-bit
 * PNGs and a 12-bit CR DICOM the next), two readers reviewed them; the figures (agreement by majority
 * with ties and "uncertain" left out and counted, patient-grouped intervals, disagreements, drift
 * flags against the run's training folder) are checked against counts made by hand, and who may ask.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { imageFileInfo } from "@cxrlab/core/data";
import { sharedPaths } from "@cxrlab/core/paths";
import { buildDicom, testConfig } from "@cxrlab/core/testing";
import {
  createRun,
  ingestImage,
  migrate,
  openStore,
  promoteRun,
  recordPredictions,
  type Store,
  submitReview,
  updateRunStatus,
} from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";

const PROJECT = "watch";
const WEEK_A = new Date("2026-11-03T10:00:00Z"); // week of Monday 2026-11-02
const WEEK_B = new Date("2026-11-11T10:00:00Z"); // week of Monday 2026-11-09

/** Each arrival: its patient, week, what the model said, and what each reader said (null: no review). */
const ARRIVALS = [
  { patient: "M-1", week: WEEK_A, predicted: "COVID", first: "COVID", second: "COVID" }, // agreed, right
  { patient: "M-2", week: WEEK_A, predicted: "Normal", first: "Normal", second: null }, // right
  { patient: "M-3", week: WEEK_A, predicted: "Normal", first: "COVID", second: "COVID" }, // wrong
  {
    patient: "M-4",
    week: WEEK_A,
    predicted: "Viral Pneumonia",
    first: "Viral Pneumonia",
    second: "uncertain",
  }, // right
  { patient: "M-5", week: WEEK_A, predicted: "COVID", first: "Normal", second: "COVID" }, // tie: left out
  { patient: "M-6", week: WEEK_A, predicted: "Normal", first: "uncertain", second: null }, // uncertain only
  { patient: "M-7", week: WEEK_B, predicted: "COVID", first: "COVID", second: null, drifted: true }, // right
  { patient: "M-7", week: WEEK_B, predicted: "Normal", first: "COVID", second: null, drifted: true }, // wrong
  { patient: "M-8", week: WEEK_B, predicted: "Normal", first: null, second: null, dicom: true }, // not reviewed
] as const;

const probabilities = (top: string) =>
  Object.fromEntries(["COVID", "Normal", "Viral Pneumonia"].map((c) => [c, c === top ? 0.8 : 0.1]));

export function monitoringSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let projectId: number;
  let runId: number;
  let researcher: TestAccount;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "cxrlab-monitoring-"));

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    // The run's folder names its training folder (the shared sample) as `cxrlab train` writes it.
    const runDir = path.join(scratch, "run");
    mkdirSync(path.join(runDir, "model"), { recursive: true });
    writeFileSync(path.join(runDir, "inputs.json"), JSON.stringify({ data: sharedPaths.sample() }));
    const run = await createRun(store, { config: testConfig(64), project: PROJECT });
    await updateRunStatus(store, run.id, "succeeded", {
      model: { location: path.join(runDir, "model"), bytes: 1 },
    });
    runId = run.id;
    projectId = run.projectId!;
    await promoteRun(store, projectId, runId, null);
    const clinician = await testAccount(store, "clinician", [PROJECT]);
    const admin = await testAccount(store, "admin", [PROJECT]);
    researcher = await testAccount(store, "researcher", [PROJECT]);

    const samples = sampleImagePaths(2).map((s) => s.path);
    for (const [i, a] of ARRIVALS.entries()) {
      let file = samples[i]!;
      let source = { sourceFormat: "png", sourceLocation: file };
      if ("drifted" in a) {
        // 900 × 700, 16 bits, bright: nothing like the 8-bit 224/256 px training X-rays.
        file = path.join(scratch, `drifted-${i}.png`);
        await sharp({
          create: { width: 900, height: 700, channels: 3, background: { r: 230 + i, g: 230, b: 230 } },
        })
          .toColourspace("grey16")
          .png()
          .toFile(file);
        source = { sourceFormat: "png", sourceLocation: file };
      }
      if ("dicom" in a) {
        const dcm = path.join(scratch, "scan.dcm");
        writeFileSync(
          dcm,
          await buildDicom({
            width: 4,
            height: 4,
            pixels: new Array(16).fill(3000),
            bitsAllocated: 16,
            bitsStored: 12,
            attributes: { Modality: "CR", PatientID: a.patient },
          }),
        );
        file = path.join(scratch, "scan.png");
        await sharp({ create: { width: 1200, height: 1000, channels: 3, background: "#f0f0f0" } })
          .png()
          .toFile(file);
        source = { sourceFormat: "dicom", sourceLocation: dcm };
      }
      const archived = await ingestImage(store, {
        patient: { patientId: a.patient, name: `SECRET^NAME${i}`, project: PROJECT },
        study: { studyDate: a.week },
        image: { ...(await imageFileInfo(file)), location: file, ...source },
      });
      await store.prisma.image.update({ where: { id: archived.imageId }, data: { createdAt: a.week } });
      await recordPredictions(store, runId, [
        { imageId: archived.imageId, probabilities: probabilities(a.predicted), predictedLabel: a.predicted },
      ]);
      const prediction = await store.prisma.prediction.findUniqueOrThrow({
        where: { runId_imageId: { runId, imageId: archived.imageId } },
      });
      if (a.first)
        await submitReview(store, {
          predictionId: prediction.id,
          reviewerId: clinician.userId,
          label: a.first,
        });
      if (a.second)
        await submitReview(store, { predictionId: prediction.id, reviewerId: admin.userId, label: a.second });
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("measures the default model's agreement with the readers, week by week, counted by majority", async () => {
    const api = await callerAs(store, researcher);
    const result = await api.monitoring.project({ projectId });
    expect(result.defaultModel?.runId).toBe(runId);
    expect(result.runs.map((r) => r.id)).toEqual([runId]);
    const m = result.monitoring!;
    expect(m.run.id).toBe(runId);
    expect(m.window).toBe("week");
    // Week A: M-1, M-2, M-4 right, M-3 wrong; M-5 tied, M-6 only uncertain. Week B: one of two right.
    expect(
      m.windows.map((w) => [
        w.start.toISOString().slice(0, 10),
        w.images,
        w.reviewed,
        w.ties,
        w.uncertainImages,
      ]),
    ).toEqual([
      ["2026-11-02", 6, 4, 1, 1],
      ["2026-11-09", 3, 2, 0, 0],
    ]);
    const [a, b] = m.windows;
    expect(a!.agreement!.accuracy.estimate).toBe(0.75);
    expect(a!.agreement!.classes.map((c) => [c.name, c.recall.estimate, c.support])).toEqual([
      ["COVID", 0.5, 2],
      ["Normal", 1, 1],
      ["Viral Pneumonia", 1, 1],
    ]);
    expect(a!.agreement!.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(a!.agreement!.accuracy.lower!).toBeLessThan(0.75);
    expect(a!.agreement!.accuracy.upper!).toBe(1);
    // Week B's two reviewed images are one patient's: resampled together, the interval is a point.
    expect(b!.agreement!.grouping).toEqual({ by: "group", source: "patient", units: 1, ungrouped: 0 });
    expect([
      b!.agreement!.accuracy.lower,
      b!.agreement!.accuracy.estimate,
      b!.agreement!.accuracy.upper,
    ]).toEqual([0.5, 0.5, 0.5]);
    expect(m.overall).toMatchObject({ images: 9, reviewed: 6, ties: 1, uncertainImages: 1, otherClasses: 0 });
    expect(m.overall.agreement!.accuracy.estimate).toBeCloseTo(4 / 6, 12);
    expect(m.overall.agreement!.grouping).toMatchObject({ by: "group", units: 5 });
    expect(m.overall.agreement!.resamples).toBe(2000);
    expect(m.uncertainReviews).toBe(2);
    expect(m.countingRule).toMatch(/most of its readers/);
    // Disagreements: M-4 (a class and uncertain: resolved) and M-5 (a tie: unresolved).
    expect(m.disagreements.map((d) => [d.predicted, d.readers.map((r) => r.label), d.resolved])).toEqual([
      ["Viral Pneumonia", ["Viral Pneumonia", "uncertain"], "Viral Pneumonia"],
      ["COVID", ["Normal", "COVID"], null],
    ]);
  });

  it("flags inputs that drift from the run's training images, and not the ones like them", async () => {
    const api = await callerAs(store, researcher);
    const m = (await api.monitoring.run({ id: runId, window: "week" }))!;
    expect(m.reference).toEqual({ images: 120, reason: null });
    const [a, b] = m.windows;
    const flags = (w: typeof a) => Object.fromEntries(w!.drift!.checks.map((c) => [c.name, c.flagged]));
    expect(flags(a)).toEqual({
      "image size": false,
      "bit depth": false,
      "intensity histogram": false,
      "source/modality": false,
    });
    expect(a!.drift!.flagged).toBe(false);
    expect(flags(b)).toEqual({
      "image size": true,
      "bit depth": true,
      "intensity histogram": true,
      "source/modality": true,
    });
    const checks = Object.fromEntries(b!.drift!.checks.map((c) => [c.name, c]));
    expect(checks["bit depth"]!.current).toEqual({ "12": 1 / 3, "16": 2 / 3 });
    expect(checks["source/modality"]!.current).toEqual({ "DICOM CR": 1 / 3, PNG: 2 / 3 });
    expect(checks["image size"]).toMatchObject({ statistic: "KS", value: 1 });
    // A 30-day window holds both weeks: the drifted images still move it.
    const month = (await api.monitoring.run({ id: runId, window: "30d" }))!;
    expect(month.windows).toHaveLength(1);
    expect(month.windows[0]!.drift!.flagged).toBe(true);
  });

  it("names no patient, refuses viewers and other projects' members, and a bad window by name", async () => {
    const api = await callerAs(store, researcher);
    const text = JSON.stringify(await api.monitoring.project({ projectId }));
    for (const a of ARRIVALS) expect(text).not.toContain(a.patient);
    expect(text).not.toContain("SECRET");
    for (const role of ["clinician", "admin"] as const) {
      const other = await callerAs(store, await testAccount(store, role, [PROJECT]));
      expect((await other.monitoring.project({ projectId })).monitoring?.run.id).toBe(runId);
    }
    const viewer = await callerAs(store, await testAccount(store, "viewer", [PROJECT]));
    await expect(viewer.monitoring.project({ projectId })).rejects.toThrow(
      /your role does not allow monitoring.project/,
    );
    await expect(viewer.monitoring.run({ id: runId })).rejects.toThrow(
      /your role does not allow monitoring.run/,
    );
    const outsider = await callerAs(store, await testAccount(store, "admin", ["elsewhere"]));
    await expect(outsider.monitoring.project({ projectId })).rejects.toThrow();
    await expect(api.monitoring.project({ projectId, window: "weekly" })).rejects.toThrow(
      /weekly.*expected week, month or a number of days such as 14d/,
    );
  });
  it("counts, instead of failing on, a reader's label that is not one of the run's classes", async () => {
    // Another model of the project, with other classes, predicted M-8's image and was read.
    const other = await createRun(store, { config: testConfig(64), project: PROJECT });
    await updateRunStatus(store, other.id, "succeeded");
    const image = await store.prisma.image.findFirstOrThrow({
      where: { study: { patient: { patientId: "M-8" } } },
    });
    await recordPredictions(store, other.id, [
      {
        imageId: image.id,
        probabilities: { Lung_Opacity: 0.7, Normal: 0.3 },
        predictedLabel: "Lung_Opacity",
      },
    ]);
    const prediction = await store.prisma.prediction.findUniqueOrThrow({
      where: { runId_imageId: { runId: other.id, imageId: image.id } },
    });
    const reader = await testAccount(store, "clinician", [PROJECT]);
    await submitReview(store, {
      predictionId: prediction.id,
      reviewerId: reader.userId,
      label: "Lung_Opacity",
    });
    const m = (await (await callerAs(store, researcher)).monitoring.run({ id: runId }))!;
    expect(m.overall).toMatchObject({ images: 9, reviewed: 6, otherClasses: 1 });
    expect(m.overall.agreement!.accuracy.estimate).toBeCloseTo(4 / 6, 12);
  });
}
