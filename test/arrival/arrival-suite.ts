import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { selectBackend } from "@cxrlab/core/backend";
import { gradCamCachePath, modelFingerprint } from "@cxrlab/core/gradcam";
import { saveModel } from "@cxrlab/core/model";
import { buildDicom, imagenetDenseNet, sampleXrays, testConfig, testModelMeta } from "@cxrlab/core/testing";
import {
  createRun,
  listAuditEvents,
  migrate,
  openStore,
  promoteRun,
  type Store,
  updateRunStatus,
} from "@cxrlab/db";
import { openQueue, queueArrivalPredictions } from "@cxrlab/queue";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { parseJson, runCli } from "../helpers.ts";

const SIZE = 64;

interface IngestJson {
  new: { file: string; imageId: number; patientId: string }[];
  known: unknown[];
  rejected: { file: string; reason: string }[];
  predictions: {
    queued: number;
    jobs: { jobId: string; runId: number; projectId: number; images: number }[];
    notQueued: { projectId: number | null; images: number; reason: string }[];
  };
}

/**
 * Images arriving in a project with a default model are predicted by it, as a user meets it: the
 * real CLI ingests real DICOM files (real X-ray pixels) and `cxrlab worker --once` runs the jobs
 * queued, on the store `database` makes.
 */
export function arrivalSuite(provider: "sqlite" | "postgresql", database: DatabaseFactory) {
  const tmp = mkdtempSync(path.join(tmpdir(), `cxrlab-arrival-${provider}-`));
  const cacheDir = path.join(tmp, "cache");
  let db: TestDatabase;
  let store: Store;
  let env: Record<string, string>;
  let first: number;
  let second: number;
  let projectId: number;
  const cli = (...args: string[]) => runCli(args, { env });
  const xrays = sampleXrays(6);

  /** A succeeded run of project "ward" whose run folder holds the model, as `cxrlab train` leaves it. */
  async function trainedRun(name: string, modelFrom: string): Promise<number> {
    const run = await createRun(store, { config: { ...testConfig(SIZE), name }, project: "ward" });
    const runDir = path.join(tmp, "runs", name);
    cpSync(modelFrom, path.join(runDir, "model"), { recursive: true });
    writeFileSync(path.join(runDir, "inputs.json"), JSON.stringify({ runId: run.id }));
    await updateRunStatus(store, run.id, "succeeded", {
      model: { location: path.join(runDir, "model"), bytes: 1 },
    });
    return run.id;
  }

  /** A folder of DICOM files made from sample X-rays: [patient, X-ray index] per file. */
  async function dicomFolder(name: string, files: [patient: string, xray: number][]): Promise<string> {
    const dir = path.join(tmp, name);
    mkdirSync(dir, { recursive: true });
    for (const [i, [patient, xray]] of files.entries()) {
      const { data, info } = await sharp(xrays[xray]!)
        .greyscale()
        .resize(SIZE, SIZE)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const bytes = await buildDicom({
        width: info.width,
        height: info.height,
        bitsAllocated: 8,
        pixels: Array.from(data),
        window: { center: 128, width: 256 },
        attributes: {
          PatientID: patient,
          PatientName: `Doe^${patient}`,
          StudyInstanceUID: `1.2.826.0.1.3680043.8.498.77.${patient.charCodeAt(1)}.${name.length}`,
          SOPInstanceUID: `1.2.826.0.1.3680043.8.498.77.${xray}.${name.length}.${i}`,
        },
      });
      writeFileSync(path.join(dir, `${patient}-${xray}.dcm`), bytes);
    }
    return dir;
  }

  const predictionsOf = (imageIds: number[]) =>
    store.prisma.prediction.findMany({
      where: { imageId: { in: imageIds } },
      select: { imageId: true, runId: true },
      orderBy: [{ imageId: "asc" }, { runId: "asc" }],
    });

  /** The Grad-CAM map the worklist's `class=predicted` heatmap is drawn from, in the cache. */
  async function cachedGradCam(runId: number, imageId: number): Promise<string> {
    const run = await store.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const image = await store.prisma.image.findUniqueOrThrow({ where: { id: imageId } });
    const key = {
      modelId: await modelFingerprint(run.modelLocation!),
      imageSha256: createHash("sha256").update(readFileSync(image.location)).digest("hex"),
      target: "predicted" as const,
    };
    return gradCamCachePath(path.join(cacheDir, "gradcam"), key, "gradcam.json");
  }

  beforeAll(async () => {
    db = await database();
    env = { DATABASE_URL: db.url, CXRLAB_IMAGE_STORE: path.join(tmp, "images"), CXRLAB_CACHE: cacheDir };
    await selectBackend("wasm");
    const saved = path.join(tmp, "saved-model");
    const model = await imagenetDenseNet(SIZE);
    await saveModel(saved, model, testModelMeta(SIZE));
    model.dispose();
    store = await openStore(db.url);
    await migrate(store);
    first = await trainedRun("first", saved);
    second = await trainedRun("second", saved);
    projectId = (await store.prisma.project.findUniqueOrThrow({ where: { name: "ward" } })).id;
  }, 300_000);
  afterAll(async () => {
    await store?.close();
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("queues nothing without a default model, says so, and the ingest succeeds", async () => {
    const dir = await dicomFolder("before-promotion", [["P0", 0]]);
    const text = await cli("ingest", dir, "--project", "ward");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      '0 predictions queued; 1 image not queued: project "ward" has no default model',
    );
    const listed = await cli("queue", "list", "--json");
    expect(parseJson<unknown[]>(listed)).toEqual([]);
  }, 300_000);

  it("predicts two patients' new images with the default model and caches their Grad-CAM", async () => {
    await promoteRun(store, projectId, first, null);
    const dir = await dicomFolder("first-batch", [
      ["P1", 1],
      ["P1", 2],
      ["P2", 3],
    ]);
    const ingested = await cli("ingest", dir, "--project", "ward", "--json");
    expect(ingested.code, ingested.stderr).toBe(0);
    const report = parseJson<IngestJson>(ingested);
    expect(report.new.map((n) => n.patientId).sort()).toEqual(["P1", "P1", "P2"]);
    expect(report.predictions.queued).toBe(3);
    expect(report.predictions.jobs).toEqual([
      { jobId: expect.any(String), runId: first, projectId, images: 3 },
    ]);
    expect(report.predictions.notQueued).toEqual([]);
    const audited = await listAuditEvents(store, { action: "predictions.queue" });
    expect(audited.items.map((e) => [e.targetId, e.projectId, e.details])).toEqual([
      [String(first), projectId, { jobId: report.predictions.jobs[0]!.jobId, images: 3, trigger: "arrival" }],
    ]);

    const worker = await cli("worker", "--once", "--json", "--out", path.join(tmp, "worker-runs"));
    expect(worker.code, worker.stderr).toBe(0);
    expect(parseJson<{ completed: string[]; failed: string[] }>(worker)).toMatchObject({
      completed: [report.predictions.jobs[0]!.jobId],
      failed: [],
    });
    const ids = report.new.map((n) => n.imageId);
    expect(await predictionsOf(ids)).toEqual(
      ids.sort((a, b) => a - b).map((imageId) => ({ imageId, runId: first })),
    );
    for (const id of ids)
      expect(existsSync(await cachedGradCam(first, id)), `Grad-CAM of image ${id}`).toBe(true);

    // Ingesting the same files again brings nothing new, so nothing is queued.
    const again = parseJson<IngestJson>(await cli("ingest", dir, "--project", "ward", "--json"));
    expect(again.new).toEqual([]);
    expect(again.predictions).toEqual({ queued: 0, jobs: [], notQueued: [] });
  }, 600_000);

  it("a newer default model predicts the images that arrive next; the old predictions keep their run", async () => {
    const before = await store.prisma.prediction.findMany({ orderBy: { id: "asc" } });
    await promoteRun(store, projectId, second, null);
    const dir = await dicomFolder("second-batch", [
      ["P2", 4],
      ["P3", 5],
    ]);
    const text = await cli("ingest", dir, "--project", "ward");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`2 predictions queued: 2 images with run ${second} \\(job [^)]+\\)`),
    );
    const worker = await cli("worker", "--once", "--json", "--out", path.join(tmp, "worker-runs"));
    expect(worker.code, worker.stderr).toBe(0);
    const fresh = await store.prisma.image.findMany({
      where: {
        study: { patient: { patientId: { in: ["P2", "P3"] } } },
        predictions: { some: { runId: second } },
      },
      select: { id: true },
    });
    expect(fresh).toHaveLength(2);
    for (const { id } of fresh) expect(existsSync(await cachedGradCam(second, id))).toBe(true);
    // Every earlier prediction is still there, unchanged, with the run that made it.
    const after = await store.prisma.prediction.findMany({
      where: { id: { in: before.map((p) => p.id) } },
      orderBy: { id: "asc" },
    });
    expect(after).toEqual(before);
    expect(before.every((p) => p.runId === first)).toBe(true);
  }, 600_000);

  it("does not queue images the default model has already predicted", async () => {
    const predicted = await store.prisma.prediction.findFirstOrThrow({ where: { runId: second } });
    const queue = await openQueue(store);
    try {
      const arrival = await queueArrivalPredictions(
        store,
        [{ imageId: predicted.imageId, projectId }],
        async () => queue,
      );
      expect(arrival).toEqual({
        queued: 0,
        jobs: [],
        notQueued: [{ projectId, images: 1, reason: `already predicted by run ${second}` }],
      });
    } finally {
      await queue.close();
    }
  });

  it("archives the images when the queue cannot be written, and says no prediction was queued and why", async () => {
    const refuse =
      provider === "sqlite"
        ? [
            `CREATE TRIGGER refuse_jobs BEFORE INSERT ON "Job" BEGIN SELECT RAISE(ABORT, 'jobs refused by this test'); END`,
          ]
        : [
            `CREATE FUNCTION refuse_jobs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'jobs refused by this test'; END $$`,
            "CREATE TRIGGER refuse_jobs BEFORE INSERT ON pgboss.job FOR EACH ROW EXECUTE FUNCTION refuse_jobs()",
          ];
    for (const sql of refuse) await store.prisma.$executeRawUnsafe(sql);
    try {
      const dir = await dicomFolder("queue-refused", [["P4", 0]]);
      const ingested = await cli("ingest", dir, "--project", "ward", "--json");
      expect(ingested.code, ingested.stderr).toBe(0);
      const report = parseJson<IngestJson>(ingested);
      expect(report.new.map((n) => n.patientId)).toEqual(["P4"]);
      expect(await store.prisma.image.count({ where: { id: report.new[0]!.imageId } })).toBe(1);
      expect(report.predictions.queued).toBe(0);
      expect(report.predictions.notQueued).toEqual([
        {
          projectId,
          images: 1,
          reason: expect.stringMatching(/^the prediction could not be queued: [^\n]+$/),
        },
      ]);
    } finally {
      await store.prisma.$executeRawUnsafe(
        provider === "sqlite" ? "DROP TRIGGER refuse_jobs" : "DROP TRIGGER refuse_jobs ON pgboss.job",
      );
    }
  }, 300_000);
}
