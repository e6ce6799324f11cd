import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { storedImageFile } from "@cxrlab/api/http";
import { experimentConfigSchema } from "@cxrlab/core/config";
import { imageFileInfo } from "@cxrlab/core/data";
import {
  createRun,
  ingestImage,
  listPredictions,
  migrate,
  openStore,
  pairRunPredictions,
  recordImagePredictions,
  type Store,
} from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

const config = experimentConfigSchema.parse({ name: "m", preset: "quick" });

/** A small PNG whose bytes depend on `shade`. */
async function png(file: string, shade: number): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .png()
    .toFile(file);
  return file;
}

const prediction = (file: string, label: string, predictedClass: string) => ({
  path: file,
  label,
  probabilities: {
    COVID: predictedClass === "COVID" ? 0.8 : 0.2,
    Normal: predictedClass === "COVID" ? 0.2 : 0.8,
  },
  predictedClass,
});

/**
 * Image rows are one per content hash and shared by every run and the patient archive: one
 * project's training must not re-point or relabel a row that the archive or another project's
 * runs hold (issue 17, finding 2), while each run keeps the file and label it was given.
 */
export function imageScopeSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  const dir = mkdtempSync(path.join(os.tmpdir(), "image-scope-"));

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const imageRow = (sha256: string) =>
    store.prisma.image.findUniqueOrThrow({
      where: { sha256 },
      select: { id: true, location: true, label: true, studyId: true },
    });

  it("training in project B leaves project A's and the archive's rows as they were, and B's run keeps its own files and labels", async () => {
    // Project A trained on a folder with x.png; the archive holds y.png (a patient of project A).
    const aX = await png(path.join(dir, "a", "COVID", "x.png"), 40);
    const archivedY = await png(path.join(dir, "archive", "y.png"), 200);
    const runA = await createRun(store, { config, project: "a" });
    await recordImagePredictions(store, runA.id, [prediction(aX, "COVID", "COVID")]);
    const yInfo = await imageFileInfo(archivedY);
    await ingestImage(store, {
      patient: { patientId: "P-A1", project: "a" },
      study: { studyInstanceUid: "1.2.840.1" },
      image: {
        ...yInfo,
        location: archivedY,
        sourceFormat: "png",
        sourceLocation: archivedY,
        label: "Normal",
      },
    });
    const xSha = (await imageFileInfo(aX)).sha256;
    const before = { x: await imageRow(xSha), y: await imageRow(yInfo.sha256) };
    expect(before.x).toMatchObject({ location: aX, label: "COVID", studyId: null });
    expect(before.y).toMatchObject({ location: archivedY, label: "Normal" });

    // Project B's dataset holds byte-identical copies, under other paths and labels.
    const bX = path.join(dir, "b", "Normal", "x-copy.png");
    const bY = path.join(dir, "b", "COVID", "y-copy.png");
    mkdirSync(path.dirname(bX), { recursive: true });
    mkdirSync(path.dirname(bY), { recursive: true });
    copyFileSync(aX, bX);
    copyFileSync(archivedY, bY);
    const runB = await createRun(store, { config, project: "b" });
    await recordImagePredictions(store, runB.id, [
      prediction(bX, "Normal", "COVID"),
      prediction(bY, "COVID", "COVID"),
    ]);

    // A's row and the archive's row: same location, same label.
    expect(await imageRow(xSha)).toEqual(before.x);
    expect(await imageRow(yInfo.sha256)).toEqual(before.y);
    // A's prediction still scores against A's label.
    expect((await listPredictions(store, runA.id))?.items).toEqual([
      expect.objectContaining({ imageId: before.x.id, trueLabel: "COVID", correct: true }),
    ]);
    // B's run shows its images with B's labels, and records the files B read.
    const page = await listPredictions(store, runB.id, { sort: "imageId", dir: "asc" });
    expect(page?.items.map(({ imageId, trueLabel, correct }) => ({ imageId, trueLabel, correct }))).toEqual([
      { imageId: before.x.id, trueLabel: "Normal", correct: false },
      { imageId: before.y.id, trueLabel: "COVID", correct: true },
    ]);
    const locations = await store.prisma.prediction.findMany({
      where: { runId: { in: [runA.id, runB.id] } },
      select: { runId: true, imageId: true, location: true },
      orderBy: [{ runId: "asc" }, { imageId: "asc" }],
    });
    expect(locations).toEqual([
      { runId: runA.id, imageId: before.x.id, location: aX },
      { runId: runB.id, imageId: before.x.id, location: bX },
      { runId: runB.id, imageId: before.y.id, location: bY },
    ]);

    // Comparing two of B's runs scores them on B's labels, and groups by B's dataset.
    const runB2 = await createRun(store, { config, project: "b" });
    await recordImagePredictions(store, runB2.id, [
      prediction(bX, "Normal", "Normal"),
      prediction(bY, "COVID", "Normal"),
    ]);
    const { pairs } = await pairRunPredictions(store, runB.id, runB2.id);
    expect(pairs.map(({ imageId, location, label }) => ({ imageId, location, label }))).toEqual([
      { imageId: before.x.id, location: bX, label: "Normal" },
      { imageId: before.y.id, location: bY, label: "COVID" },
    ]);

    // Once A's folder is gone, the image is still served, from a file a run recorded with its bytes.
    rmSync(path.join(dir, "a"), { recursive: true, force: true });
    expect(await storedImageFile(store, before.x.id)).toMatchObject({ id: before.x.id, location: bX });
  });

  it("a project's own runs still re-point and relabel the rows only it holds", async () => {
    const first = await png(path.join(dir, "c", "COVID", "z.png"), 90);
    const run = await createRun(store, { config, project: "c" });
    await recordImagePredictions(store, run.id, [prediction(first, "COVID", "COVID")]);
    const { sha256 } = await imageFileInfo(first);
    // The dataset moved and its curator relabelled the image.
    const moved = path.join(dir, "c-moved", "Normal", "z.png");
    mkdirSync(path.dirname(moved), { recursive: true });
    copyFileSync(first, moved);
    const again = await createRun(store, { config, project: "c" });
    await recordImagePredictions(store, again.id, [prediction(moved, "Normal", "COVID")]);
    expect(await imageRow(sha256)).toMatchObject({ location: moved, label: "Normal" });
  });
}
