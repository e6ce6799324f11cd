import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { experimentConfigSchema } from "@cxrlab/core/config";
import { bootstrapMetricIntervals, evaluatePredictions } from "@cxrlab/core/metrics";
import { CLASS_NAMES } from "@cxrlab/core/testing";
import type { TrainOutcome } from "@cxrlab/core/train";
import {
  addRunNote,
  createRun,
  deleteRun,
  getRun,
  latestRunWithModel,
  listRuns,
  migrate,
  openStore,
  type RunQuery,
  recordEpoch,
  recordEvaluation,
  recordPredictions,
  recordTrainOutcome,
  type Store,
  tagRun,
  updateRunStatus,
  upsertImage,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImagePaths } from "../api/fixture.ts";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
const CLASSES = CLASS_NAMES;
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * What training hands over for the store, on real test images (recording hashes them): each
 * predicted COVID, or with `nanFrom`, NaN probabilities from that image on (a diverged run).
 */
function trainOutcome(count: number, nanFrom = Number.POSITIVE_INFINITY): TrainOutcome {
  const testPredictions = sampleImagePaths(Math.ceil(count / CLASSES.length))
    .slice(0, count)
    .map(({ path: file, label }, i) => ({
      path: file,
      label: CLASSES.indexOf(label),
      predicted: 0,
      probabilities: i >= nanFrom ? [Number.NaN, Number.NaN, Number.NaN] : [0.7, 0.2, 0.1],
    }));
  // Metrics refuse NaN, so they cover the images before it (recording must refuse it too).
  const scored = testPredictions.slice(0, nanFrom);
  const scoredInput = {
    probabilities: scored.map((p) => p.probabilities),
    labels: scored.map((p) => p.label),
    classNames: CLASSES,
  };
  const evaluation = evaluatePredictions(scoredInput);
  // Only what recording reads.
  const outcome = {
    status: "succeeded",
    classNames: CLASSES,
    evaluation,
    intervals: bootstrapMetricIntervals(scoredInput, { resamples: 200, seed: 3 }),
    testPredictions,
    backend: { name: "wasm" },
    timings: { train: 2.5 },
    modelDir: null,
  };
  return outcome as unknown as TrainOutcome;
}

function image(name: string, label: string | null = null) {
  return {
    sha256: sha(name),
    location: `/data/${name}.png`,
    format: "png",
    width: 224,
    height: 224,
    bytes: 5000,
    label,
  };
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: string | null;
  applied_steps_count: number | bigint;
}

/** The whole store contract, run against each provider by its own test file. */
export function storeSuite(provider: "sqlite" | "postgresql", newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const counts = async (runId?: number) => {
    const where = runId === undefined ? {} : { runId };
    const p = store.prisma;
    return {
      runs: await p.run.count({ where: runId === undefined ? {} : { id: runId } }),
      epochs: await p.epoch.count({ where }),
      evaluations: await p.evaluation.count({ where }),
      predictions: await p.prediction.count({ where }),
      tags: await p.runTag.count({ where }),
      notes: await p.runNote.count({ where }),
    };
  };

  describe("migrations", () => {
    const migrationsDir = path.join(repoRoot, "prisma", provider, "migrations");
    const committed = readdirSync(migrationsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();

    it("apply every committed migration to an empty database, then nothing", async () => {
      expect(store.target.provider).toBe(provider);
      expect(await migrate(store)).toEqual(committed);
      expect(await migrate(store)).toEqual([]);
      expect(await store.prisma.run.count()).toBe(0);
    });

    it("record each migration in _prisma_migrations the way Prisma does", async () => {
      const rows = await store.prisma.$queryRaw<
        MigrationRow[]
      >`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`;
      expect(rows.map((r) => r.migration_name)).toEqual(committed);
      for (const row of rows) {
        const sql = readFileSync(path.join(migrationsDir, row.migration_name, "migration.sql"));
        expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
        expect(Number(row.applied_steps_count)).toBe(1);
      }
    });

    it("refuse a migration edited after it was applied", async () => {
      const name = committed[0]!;
      const [row] = await store.prisma.$queryRaw<MigrationRow[]>`
        SELECT checksum FROM "_prisma_migrations" WHERE migration_name = ${name}`;
      const setChecksum = (checksum: string) =>
        store.prisma
          .$executeRaw`UPDATE "_prisma_migrations" SET checksum = ${checksum} WHERE migration_name = ${name}`;
      await setChecksum("0".repeat(64));
      await expect(migrate(store)).rejects.toThrow(`migration ${name} was edited after it was applied`);
      await setChecksum(row!.checksum);
      expect(await migrate(store)).toEqual([]);
    });
  });

  describe("runs", () => {
    it("store a run's epochs, evaluation and predictions, and getRun returns them all", async () => {
      const config = experimentConfigSchema.parse({ name: "baseline", preset: "quick", seed: 7 });
      const run = await createRun(store, { config, project: "cxr", backend: "wasm", tags: ["a", "b", "a"] });
      expect(run).toMatchObject({
        name: "baseline",
        preset: "quick",
        seed: 7,
        status: "queued",
        tags: ["a", "b"],
      });

      await updateRunStatus(store, run.id, "running");
      const epochs = [1, 2, 3].map((epoch) => ({
        epoch,
        loss: 1 / epoch,
        accuracy: 0.5 + epoch / 10,
        valLoss: epoch === 1 ? Number.NaN : 1.2 / epoch,
        valAccuracy: 0.4 + epoch / 10,
        seconds: 12.5 * epoch,
        imagesPerSecond: 8,
      }));
      for (const e of epochs) await recordEpoch(store, run.id, e);
      // Resuming training re-records an epoch: replaced, not duplicated.
      await recordEpoch(store, run.id, { ...epochs[2]!, loss: 0.25 });

      const probabilities = [
        [0.8, 0.1, 0.1],
        [0.2, 0.7, 0.1],
        [0.1, 0.3, 0.6],
        [0.5, 0.4, 0.1],
      ];
      const labels = [0, 1, 2, 1];
      const metrics = evaluatePredictions({ probabilities, labels, classNames: CLASSES });
      await recordEvaluation(store, run.id, "test", metrics);

      const images = [];
      for (const [i, label] of labels.entries())
        images.push(await upsertImage(store, image(`img${i}`, CLASSES[label])));
      await recordPredictions(
        store,
        run.id,
        images.map((img, i) => ({
          imageId: img.id,
          probabilities: Object.fromEntries(CLASSES.map((c, k) => [c, probabilities[i]![k]!])),
          predictedLabel: CLASSES[probabilities[i]!.indexOf(Math.max(...probabilities[i]!))]!,
        })),
      );
      await addRunNote(store, run.id, "first try");
      await updateRunStatus(store, run.id, "succeeded", {
        timings: { train: 37.5 },
        model: { location: "/runs/baseline/model", bytes: 3_000_000_000 },
      });

      const got = await getRun(store, run.id);
      expect(got).not.toBeNull();
      expect(got!.status).toBe("succeeded");
      expect(got!.config).toEqual(config);
      expect(got!.startedAt).toBeInstanceOf(Date);
      expect(got!.finishedAt!.getTime()).toBeGreaterThanOrEqual(got!.startedAt!.getTime());
      expect(got!.timings).toEqual({ train: 37.5 });
      expect(got!.modelBytes).toBe(3_000_000_000);
      expect(got!.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(got!.epochs[0]!.valLoss).toBeNull();
      expect(got!.epochs[1]).toEqual(epochs[1]);
      expect(got!.epochs[2]!.loss).toBe(0.25);
      expect(got!.evaluations).toHaveLength(1);
      expect(got!.evaluations[0]!.split).toBe("test");
      expect(got!.evaluations[0]!.metrics).toEqual(metrics);
      // Recorded without intervals.
      expect(got!.evaluations[0]!.intervals).toBeNull();
      expect(got!.notes.map((n) => n.body)).toEqual(["first try"]);
      expect(got!.predictionCount).toBe(4);
      const stored = await store.prisma.prediction.findFirstOrThrow({
        where: { runId: run.id, imageId: images[2]!.id },
      });
      expect(stored.predictedLabel).toBe("Viral Pneumonia");
      expect(stored.probabilities).toEqual({ COVID: 0.1, Normal: 0.3, "Viral Pneumonia": 0.6 });
      // Columns kept for the dashboard's filters and sorting.
      expect(stored).toMatchObject({ confidence: 0.6, trueLabel: "Viral Pneumonia", correct: true });
      const wrong = await store.prisma.prediction.findFirstOrThrow({
        where: { runId: run.id, imageId: images[3]!.id },
      });
      expect(wrong).toMatchObject({
        predictedLabel: "COVID",
        confidence: 0.5,
        trueLabel: "Normal",
        correct: false,
      });
      expect(got!.testAccuracy).toBe(metrics.accuracy);
      expect(got!.bestValLoss).toBe(1.2 / 3);
      expect(got!.bestEpoch).toBe(3);
      expect(got!.epochsDone).toBe(3);
      expect(got!.progress).toBeNull();
    });

    it("keep one image row per content hash", async () => {
      const first = await upsertImage(store, image("same"));
      const again = await upsertImage(store, { ...image("same", "Normal"), location: "/elsewhere/same.png" });
      expect(again.id).toBe(first.id);
      expect(again).toMatchObject({ location: "/elsewhere/same.png", label: "Normal" });
      expect(await store.prisma.image.count({ where: { sha256: sha("same") } })).toBe(1);
      await expect(upsertImage(store, { ...image("bad"), sha256: "xyz" })).rejects.toThrow("/data/bad.png");
    });

    it("filter runs by status, project and tag", async () => {
      const config = experimentConfigSchema.parse({ name: "filtered" });
      const a = await createRun(store, { config, project: "other", tags: ["sweep"] });
      const b = await createRun(store, { config });
      await tagRun(store, b.id, ["sweep", "sweep", "best"]);
      await updateRunStatus(store, a.id, "failed", { message: "out of memory" });
      const ids = async (query: RunQuery) => (await listRuns(store, query)).items.map((r) => r.id);
      expect(await ids({ status: ["failed"] })).toEqual([a.id]);
      expect(await ids({ project: "other" })).toEqual([a.id]);
      expect(await ids({ tag: "sweep" })).toEqual([b.id, a.id]);
      expect((await listRuns(store, { tag: "best" })).items[0]!.tags).toEqual(["best", "sweep"]);
      expect((await getRun(store, a.id))!.statusMessage).toBe("out of memory");
      await expect(updateRunStatus(store, a.id, "done" as never)).rejects.toThrow('run status "done"');
    });

    it("put runs created at once in a new project all in that one project", async () => {
      const config = experimentConfigSchema.parse({ name: "racing" });
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => createRun(store, { config, project: "brand-new" })),
      );
      const projects = await store.prisma.project.findMany({ where: { name: "brand-new" } });
      expect(projects).toHaveLength(1);
      expect(runs.map((r) => r.projectId)).toEqual(runs.map(() => projects[0]!.id));
    });

    it("record a finished run's evaluation, test predictions and status together", async () => {
      const run = await createRun(store, { config: experimentConfigSchema.parse({ name: "finished" }) });
      await updateRunStatus(store, run.id, "running");
      const outcome = trainOutcome(6);
      await recordTrainOutcome(store, run.id, outcome);
      const got = await getRun(store, run.id);
      expect(got).toMatchObject({ status: "succeeded", predictionCount: 6, backend: "wasm" });
      expect(got!.evaluations.map((e) => e.split)).toEqual(["test"]);
      // The intervals come back as they went in (undefined AUCs' NaN included).
      expect(got!.evaluations[0]!.intervals).toEqual(outcome.intervals);
      expect(got!.evaluations[0]!.intervals!.accuracy.lower).toBeLessThanOrEqual(
        outcome.evaluation!.accuracy,
      );
      expect(got!.timings).toEqual({ train: 2.5 });
    });

    it("record a finished run all or nothing: a NaN leaves none of it, and the run failed with the reason", async () => {
      const run = await createRun(store, { config: experimentConfigSchema.parse({ name: "diverged" }) });
      await updateRunStatus(store, run.id, "running");
      const images = await store.prisma.image.count();
      // Images already known stay; the run's own new ones must go with the rest.
      const failure = await recordTrainOutcome(store, run.id, trainOutcome(9, 7)).catch((e: Error) => e);
      const got = await getRun(store, run.id);
      expect(got).toMatchObject({
        status: "failed",
        predictionCount: 0,
        evaluations: [],
        testAccuracy: null,
      });
      expect(got!.statusMessage).toMatch(
        /^could not record the finished run: prediction of run \d+ for .+: predicted label "COVID" has no finite probability/,
      );
      expect(await store.prisma.image.count()).toBe(images);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe(got!.statusMessage);
    });

    it("find the latest succeeded run with a model of one project only", async () => {
      const trained = async (project: string, name: string) => {
        const run = await createRun(store, { config: experimentConfigSchema.parse({ name }), project });
        const model = { location: `/runs/${name}/model`, bytes: 1 };
        await updateRunStatus(store, run.id, "succeeded", { model });
        return run;
      };
      const mine = await trained("mine", "mine-older");
      await createRun(store, {
        config: experimentConfigSchema.parse({ name: "mine-unfinished" }),
        project: "mine",
      });
      // Newer, with a model, but another project's: never the fallback of "mine".
      await trained("theirs", "theirs-newer");
      const empty = await store.prisma.project.create({ data: { name: "no-models" } });
      expect(await latestRunWithModel(store, mine.projectId!)).toEqual({
        id: mine.id,
        name: "mine-older",
        modelLocation: "/runs/mine-older/model",
      });
      expect(await latestRunWithModel(store, empty.id)).toBeNull();
    });

    it("delete a run with everything that hangs off it, and nothing else", async () => {
      const config = experimentConfigSchema.parse({ name: "doomed" });
      const keep = await createRun(store, { config });
      const doomed = await createRun(store, { config, tags: ["x"] });
      const img = await upsertImage(store, image("shared-by-runs"));
      for (const run of [keep, doomed]) {
        await recordEpoch(store, run.id, {
          epoch: 1,
          loss: 1,
          accuracy: 0.5,
          valLoss: 1,
          valAccuracy: 0.5,
          seconds: 1,
          imagesPerSecond: 1,
        });
        await recordPredictions(store, run.id, [
          { imageId: img.id, probabilities: { COVID: 1 }, predictedLabel: "COVID" },
        ]);
        await recordEvaluation(
          store,
          run.id,
          "val",
          evaluatePredictions({ probabilities: [[1, 0, 0]], labels: [0], classNames: CLASSES }),
        );
        await addRunNote(store, run.id, "note");
      }
      const keptBefore = await counts(keep.id);

      expect(await deleteRun(store, doomed.id)).toBe(true);
      expect(await deleteRun(store, doomed.id)).toBe(false);
      expect(await getRun(store, doomed.id)).toBeNull();
      expect(await counts(doomed.id)).toEqual({
        runs: 0,
        epochs: 0,
        evaluations: 0,
        predictions: 0,
        tags: 0,
        notes: 0,
      });
      expect(await counts(keep.id)).toEqual(keptBefore);
      expect(await store.prisma.image.count({ where: { id: img.id } })).toBe(1);
    });
  });

  describe("concurrent writers", () => {
    it("two processes writing at once lose no row", async () => {
      const rows = 40;
      const writer = path.join(repoRoot, "test", "db", "concurrent-writer.ts");
      const spawnWriter = (name: string) =>
        promisify(execFile)(process.execPath, ["--import", "tsx", writer, db.url, name, String(rows)], {
          cwd: repoRoot,
        });
      const before = await counts();
      const imagesBefore = await store.prisma.image.count();
      await Promise.all([spawnWriter("w1"), spawnWriter("w2")]);
      const after = await counts();
      expect(after.runs - before.runs).toBe(2);
      expect(after.epochs - before.epochs).toBe(2 * rows);
      expect(after.predictions - before.predictions).toBe(2 * 2 * rows);
      // Each writer's own images plus one shared set.
      expect((await store.prisma.image.count()) - imagesBefore).toBe(3 * rows);
    });
  });
}
