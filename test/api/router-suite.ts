import { type AppRouter, appRouter, type createCaller, createContext } from "@cxrlab/api";
import { migrate, openStore, type Store } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { adminOfEverything, callerAs, type TestAccount } from "./accounts.ts";
import { CLASSES, LIVE_PROGRESS, type SeededRun, type SeededStore, seedStore } from "./fixture.ts";

type Caller = ReturnType<typeof createCaller>;

/** The TRPCError a call fails with (fails the test if it succeeds or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

const byCreatedDesc = (runs: SeededRun[]) =>
  [...runs].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map((r) => r.id);

/** The dashboard's API on a store filled with recorded runs, run against each provider by its own test file. */
export function routerSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let seeded: SeededStore;
  let api: Caller;
  let admin: TestAccount;

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    seeded = await seedStore(store);
    admin = await adminOfEverything(store);
    api = await callerAs(store, admin);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const ids = async (input: Parameters<Caller["runs"]["list"]>[0]) =>
    (await api.runs.list(input)).items.map((r) => r.id);

  describe("runs.list", () => {
    it("lists every run newest first with its summary figures", async () => {
      const page = await api.runs.list();
      expect(page).toMatchObject({ total: seeded.runs.length, page: 1, pageSize: 50 });
      expect(page.items.map((r) => r.id)).toEqual(byCreatedDesc(seeded.runs));
      for (const run of seeded.runs) {
        const item = page.items.find((r) => r.id === run.id)!;
        expect(item).toMatchObject({
          name: run.name,
          preset: run.preset,
          status: run.status,
          tags: run.tags,
          createdAt: run.createdAt,
          testAccuracy: run.testAccuracy,
          bestValLoss: run.valLosses.length ? Math.min(...run.valLosses) : null,
          epochsDone: run.valLosses.length,
          epochsPlanned: run.config.training.epochs,
          backend: "wasm",
          seed: run.config.seed,
        });
        expect(item.progress === null).toBe(run.status !== "running");
      }
      const failed = page.items.find((r) => r.status === "failed")!;
      expect(failed.statusMessage).toBe("out of memory");
      expect(failed.finishedAt).toBeInstanceOf(Date);
    });

    it("shows a running run's live progress", async () => {
      const live = seeded.byName("quick-live");
      const [item] = (await api.runs.list({ status: ["running"] })).items;
      expect(item!.id).toBe(live.id);
      expect(item!.progress).toMatchObject({ ...LIVE_PROGRESS, percent: 25 });
      expect(item!.progress!.updatedAt).toBeInstanceOf(Date);
    });

    it("filters by status, preset, tag, name, dates and accuracy, alone and together", async () => {
      const runs = seeded.runs;
      const expectIds = (pick: (r: SeededRun) => boolean) => byCreatedDesc(runs.filter(pick));
      expect(await ids({ status: ["succeeded", "failed"] })).toEqual(
        expectIds((r) => r.status === "succeeded" || r.status === "failed"),
      );
      expect(await ids({ preset: ["quick"] })).toEqual(expectIds((r) => r.preset === "quick"));
      expect(await ids({ tag: "sweep" })).toEqual(expectIds((r) => r.tags.includes("sweep")));
      // Name search ignores case on both databases.
      expect(await ids({ q: "RECOMMENDED" })).toEqual(expectIds((r) => /recommended/i.test(r.name)));
      expect(await ids({ q: "nothing-like-this" })).toEqual([]);
      // A bare date as the upper bound includes that whole day.
      expect(await ids({ createdFrom: "2026-11-22", createdTo: "2026-11-24" })).toEqual(
        expectIds((r) => r.createdAt >= new Date("2026-11-22") && r.createdAt < new Date("2026-11-25")),
      );
      expect(await ids({ createdTo: new Date("2026-11-22T09:30:00Z") })).toEqual(
        expectIds((r) => r.createdAt <= new Date("2026-11-22T09:30:00Z")),
      );
      const accuracies = runs.flatMap((r) => (r.testAccuracy === null ? [] : [r.testAccuracy])).sort();
      const [lo, mid] = [accuracies[0]!, accuracies[1]!];
      expect(await ids({ minAccuracy: mid })).toEqual(
        expectIds((r) => r.testAccuracy !== null && r.testAccuracy >= mid),
      );
      expect(await ids({ minAccuracy: lo, maxAccuracy: mid })).toEqual(
        expectIds((r) => r.testAccuracy !== null && r.testAccuracy >= lo && r.testAccuracy <= mid),
      );
      expect(await ids({ status: ["succeeded"], preset: ["recommended"], tag: "best", q: "-a" })).toEqual([
        seeded.byName("recommended-a").id,
      ]);
    });

    it("sorts by every key both ways, runs without a metric last", async () => {
      const runs = seeded.runs;
      const metricOrder = (key: "testAccuracy" | "bestValLoss", dir: 1 | -1) => {
        const value = (r: SeededRun) =>
          key === "testAccuracy" ? r.testAccuracy : r.valLosses.length ? Math.min(...r.valLosses) : null;
        const withValue = runs.filter((r) => value(r) !== null);
        const without = runs.filter((r) => value(r) === null);
        return [
          ...withValue.sort((a, b) => dir * (value(a)! - value(b)!)).map((r) => r.id),
          // ties (no metric) fall back to id in the same direction
          ...without.map((r) => r.id).sort((a, b) => dir * (a - b)),
        ];
      };
      expect(await ids({ sort: "testAccuracy", dir: "desc" })).toEqual(metricOrder("testAccuracy", -1));
      expect(await ids({ sort: "testAccuracy", dir: "asc" })).toEqual(metricOrder("testAccuracy", 1));
      expect(await ids({ sort: "bestValLoss", dir: "asc" })).toEqual(metricOrder("bestValLoss", 1));
      expect(await ids({ sort: "bestValLoss", dir: "desc" })).toEqual(metricOrder("bestValLoss", -1));
      const names = (await api.runs.list({ sort: "name", dir: "asc" })).items.map((r) => r.name);
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(await ids({ sort: "createdAt", dir: "asc" })).toEqual(byCreatedDesc(runs).reverse());
      const statuses = (await api.runs.list({ sort: "status", dir: "desc" })).items.map((r) => r.status);
      expect(statuses).toEqual([...statuses].sort().reverse());
      const presets = (await api.runs.list({ sort: "preset" })).items.map((r) => r.preset);
      expect(presets).toEqual([...presets].sort().reverse());
    });

    it("pages through the same order with a constant total", async () => {
      const all = await ids({ sort: "testAccuracy", dir: "desc" });
      const pages = [];
      for (let page = 1; page <= 3; page++) {
        const got = await api.runs.list({ sort: "testAccuracy", dir: "desc", page, pageSize: 2 });
        expect(got).toMatchObject({ total: all.length, page, pageSize: 2 });
        pages.push(...got.items.map((r) => r.id));
      }
      expect(pages).toEqual(all);
      expect((await api.runs.list({ page: 9, pageSize: 2 })).items).toEqual([]);
    });

    it("rejects bad input naming the field", async () => {
      for (const bad of [
        { pageSize: 101 },
        { page: 0 },
        { status: ["done"] },
        { sort: "loss" },
        { minAccuracy: 1.5 },
        { minAccuracy: 0.9, maxAccuracy: 0.1 },
        { createdFrom: "not a date" },
      ]) {
        const err = await rejection(api.runs.list(bad as never));
        expect(err.code).toBe("BAD_REQUEST");
        expect(err.message).toContain(Object.keys(bad).at(-1)!);
      }
    });
  });

  it("runs.facets lists the statuses, presets and tags in the store", async () => {
    const uniq = (values: string[]) => [...new Set(values)].sort();
    expect(await api.runs.facets()).toEqual({
      statuses: uniq(seeded.runs.map((r) => r.status)),
      presets: uniq(seeded.runs.map((r) => r.preset)),
      tags: uniq(seeded.runs.flatMap((r) => r.tags)),
    });
  });

  describe("runs.get", () => {
    it("returns the run with config, epochs, best epoch, evaluation metrics and notes", async () => {
      const seededRun = seeded.byName("recommended-a");
      const run = await api.runs.get({ id: seededRun.id });
      expect(run.config).toEqual(seededRun.config);
      expect(run.epochs.map((e) => e.valLoss)).toEqual(seededRun.valLosses);
      // val_loss is monitored: the best epoch is the one with the lowest validation loss.
      expect(run.bestEpoch).toBe(seededRun.valLosses.indexOf(Math.min(...seededRun.valLosses)) + 1);
      expect(run.evaluations.map((e) => e.split)).toEqual(["test"]);
      const metrics = run.evaluations[0]!.metrics;
      expect(metrics.accuracy).toBe(seededRun.testAccuracy);
      expect(metrics.classNames).toEqual(CLASSES);
      expect(metrics.count).toBe(seeded.images.length);
      expect(metrics.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(seeded.images.length);
      expect(metrics.roc[0]!.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
      expect(run.notes).toEqual([
        { id: expect.any(Number), body: "notes on recommended-a", createdAt: expect.any(Date) },
      ]);
      expect(run.predictionCount).toBe(seeded.images.length);
      expect(run.progress).toBeNull();
    });

    it("is NOT_FOUND for an unknown id and BAD_REQUEST for a bad one", async () => {
      expect((await rejection(api.runs.get({ id: 987654 }))).code).toBe("NOT_FOUND");
      expect((await rejection(api.runs.get({ id: -1 }))).code).toBe("BAD_REQUEST");
    });
  });

  describe("runs.compare", () => {
    it("returns the runs in the order asked with only the config paths that differ", async () => {
      const a = seeded.byName("recommended-a");
      const b = seeded.byName("recommended-b");
      const { runs, configDiff } = await api.runs.compare({ ids: [b.id, a.id] });
      expect(runs.map((r) => r.id)).toEqual([b.id, a.id]);
      expect(runs[1]!.epochs).toHaveLength(a.valLosses.length);
      expect(configDiff).toEqual([
        { path: "name", values: [b.name, a.name] },
        { path: "seed", values: [7, a.config.seed] },
        {
          path: "training.optimizer.learningRate",
          values: [0.01, a.config.training.optimizer.learningRate],
        },
      ]);
      const three = await api.runs.compare({ ids: seeded.runs.slice(0, 3).map((r) => r.id) });
      expect(three.configDiff.map((d) => d.path)).toContain("preset");
      for (const d of three.configDiff)
        expect(new Set(d.values.map((v) => JSON.stringify(v))).size).toBeGreaterThan(1);
    });

    it("tests each later run against the first on the test images both predicted", async () => {
      const a = seeded.byName("recommended-a");
      const b = seeded.byName("recommended-b");
      const smoke = seeded.byName("quick-smoke");
      const { paired } = await api.runs.compare({ ids: [b.id, a.id, smoke.id] });
      const right = (p: { predictedLabel: string; trueLabel: string }) => p.predictedLabel === p.trueLabel;
      const onlyA = a.predictions.filter((p, i) => right(p) && !right(b.predictions[i]!)).length;
      const onlyB = a.predictions.filter((p, i) => !right(p) && right(b.predictions[i]!)).length;
      expect(paired).toHaveLength(2);
      const [vsA, vsSmoke] = paired;
      expect(vsA).toMatchObject({
        runId: a.id,
        comparison: {
          runA: { id: a.id, name: a.name, labelled: 120 },
          runB: { id: b.id, name: b.name, labelled: 120 },
          n: 120,
          accuracyA: a.testAccuracy,
          accuracyB: b.testAccuracy,
          b: onlyA,
          c: onlyB,
          resamples: 2000,
          grouping: { by: "image", units: 120 },
        },
      });
      expect(vsSmoke).toEqual({
        runId: smoke.id,
        refused: `run ${smoke.id} (quick-smoke) has no test predictions: no prediction of an image with a known label`,
      });
    });

    it("rejects fewer than 2, more than 8 or repeated ids, and names missing runs", async () => {
      const id = seeded.runs[0]!.id;
      for (const bad of [[id], Array.from({ length: 9 }, (_, i) => i + 1), [id, id]]) {
        expect((await rejection(api.runs.compare({ ids: bad }))).code).toBe("BAD_REQUEST");
      }
      const missing = await rejection(api.runs.compare({ ids: [id, 987654] }));
      expect(missing.code).toBe("NOT_FOUND");
      expect(missing.message).toContain("987654");
    });
  });

  describe("tags and notes", () => {
    it("add and remove tags, add notes, and NOT_FOUND for unknown runs", async () => {
      const run = seeded.byName("quick-smoke");
      expect(await api.runs.addTag({ id: run.id, tag: " oom " })).toEqual({ id: run.id, tags: ["oom"] });
      expect((await api.runs.addTag({ id: run.id, tag: "retry" })).tags).toEqual(["oom", "retry"]);
      expect(await ids({ tag: "oom" })).toEqual([run.id]);
      expect((await api.runs.removeTag({ id: run.id, tag: "oom" })).tags).toEqual(["retry"]);
      expect((await api.runs.removeTag({ id: run.id, tag: "never-there" })).tags).toEqual(["retry"]);
      const note = await api.runs.addNote({ id: run.id, body: "batch 16 ran out of memory" });
      expect((await api.runs.get({ id: run.id })).notes).toEqual([note]);
      expect((await api.runs.facets()).tags).toContain("retry");
      await api.runs.removeTag({ id: run.id, tag: "retry" });

      expect((await rejection(api.runs.addTag({ id: 987654, tag: "x" }))).code).toBe("NOT_FOUND");
      expect((await rejection(api.runs.removeTag({ id: 987654, tag: "x" }))).code).toBe("NOT_FOUND");
      expect((await rejection(api.runs.addNote({ id: 987654, body: "x" }))).code).toBe("NOT_FOUND");
      expect((await rejection(api.runs.addTag({ id: run.id, tag: "  " }))).code).toBe("BAD_REQUEST");
      expect((await rejection(api.runs.addNote({ id: run.id, body: "" }))).code).toBe("BAD_REQUEST");
    });
  });

  describe("predictions.list", () => {
    const run = () => seeded.byName("baseline-reference");
    const keys = (items: { imageId: number }[]) => items.map((p) => p.imageId);

    it("pages a run's predictions by confidence with totals and class names", async () => {
      const expected = [...run().predictions].sort((a, b) => b.confidence - a.confidence);
      const first = await api.predictions.list({ runId: run().id, pageSize: 50 });
      expect(first).toMatchObject({ total: expected.length, page: 1, pageSize: 50, classNames: CLASSES });
      const all = [...first.items];
      for (let page = 2; page <= 3; page++) {
        all.push(...(await api.predictions.list({ runId: run().id, pageSize: 50, page })).items);
      }
      expect(keys(all)).toEqual(keys(expected));
      const top = all[0]!;
      const seededTop = expected[0]!;
      expect(top).toMatchObject({
        imageId: seededTop.imageId,
        trueLabel: seededTop.trueLabel,
        predictedLabel: seededTop.predictedLabel,
        correct: seededTop.trueLabel === seededTop.predictedLabel,
        probabilities: seededTop.probabilities,
      });
      expect(top.confidence).toBeCloseTo(seededTop.confidence, 12);
    });

    it("filters by misclassified, true and predicted class and confidence band", async () => {
      const preds = run().predictions;
      const check = async (input: object, pick: (p: (typeof preds)[number]) => boolean) => {
        const got = await api.predictions.list({
          runId: run().id,
          pageSize: 100,
          sort: "imageId",
          dir: "asc",
          ...input,
        });
        const want = preds.filter(pick).sort((a, b) => a.imageId - b.imageId);
        expect(got.total).toBe(want.length);
        expect(keys(got.items)).toEqual(keys(want.slice(0, 100)));
        return got;
      };
      const wrong = await check({ misclassified: true }, (p) => p.predictedLabel !== p.trueLabel);
      expect(wrong.total).toBeGreaterThan(0);
      expect(wrong.items.every((p) => p.correct === false)).toBe(true);
      await check({ misclassified: false }, (p) => p.predictedLabel === p.trueLabel);
      await check({ trueLabel: "Viral Pneumonia" }, (p) => p.trueLabel === "Viral Pneumonia");
      await check({ predictedLabel: "COVID" }, (p) => p.predictedLabel === "COVID");
      await check(
        { minConfidence: 0.5, maxConfidence: 0.7 },
        (p) => p.confidence >= 0.5 && p.confidence <= 0.7,
      );
      await check(
        { misclassified: true, trueLabel: "Normal", maxConfidence: 0.6 },
        (p) => p.predictedLabel !== p.trueLabel && p.trueLabel === "Normal" && p.confidence <= 0.6,
      );
    });

    it("sorts by confidence ascending", async () => {
      const got = await api.predictions.list({
        runId: run().id,
        sort: "confidence",
        dir: "asc",
        pageSize: 10,
      });
      const want = [...run().predictions].sort((a, b) => a.confidence - b.confidence).slice(0, 10);
      expect(keys(got.items)).toEqual(keys(want));
    });

    it("is NOT_FOUND for an unknown run, empty for a run without predictions, and rejects bad input", async () => {
      expect((await rejection(api.predictions.list({ runId: 987654 }))).code).toBe("NOT_FOUND");
      expect(await api.predictions.list({ runId: seeded.byName("quick-smoke").id })).toMatchObject({
        items: [],
        total: 0,
        classNames: [],
      });
      for (const bad of [
        { minConfidence: 0.8, maxConfidence: 0.2 },
        { pageSize: 500 },
        { sort: "probabilities" },
      ]) {
        expect((await rejection(api.predictions.list({ runId: run().id, ...bad } as never))).code).toBe(
          "BAD_REQUEST",
        );
      }
    });
  });

  describe("images.get", () => {
    it("returns the image with every run's prediction for it and no file path", async () => {
      const image = seeded.images[5]!;
      const got = await api.images.get({ imageId: image.id });
      expect(got).toMatchObject({
        id: image.id,
        sha256: image.sha256,
        format: "png",
        width: image.width,
        height: image.height,
        label: image.label,
      });
      expect(got).not.toHaveProperty("location");
      expect(got).not.toHaveProperty("sourceLocation");
      const withPredictions = seeded.runs.filter((r) => r.predictions.length > 0);
      expect(got.predictions.map((p) => p.runId).sort()).toEqual(withPredictions.map((r) => r.id).sort());
      for (const p of got.predictions) {
        const want = seeded.runs.find((r) => r.id === p.runId)!;
        const pred = want.predictions.find((x) => x.imageId === image.id)!;
        expect(p).toMatchObject({
          runName: want.name,
          predictedLabel: pred.predictedLabel,
          probabilities: pred.probabilities,
        });
      }
      expect((await rejection(api.images.get({ imageId: 987654 }))).code).toBe("NOT_FOUND");
    });
  });

  it("answers over HTTP (the web app's /api/trpc) with superjson data and zod field errors", async () => {
    const call = async (path: string, input: unknown) => {
      const url = `http://localhost/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
      const res = await fetchRequestHandler<AppRouter>({
        endpoint: "/api/trpc",
        req: new Request(url),
        router: appRouter,
        createContext: () => createContext({ store, headers: admin.headers }),
      });
      return {
        status: res.status,
        body: (await res.json()) as { result?: { data: unknown }; error?: unknown },
      };
    };
    const ok = await call("runs.list", { pageSize: 1 });
    expect(ok.status).toBe(200);
    const data = superjson.deserialize(ok.body.result!.data as never) as { items: { createdAt: unknown }[] };
    expect(data.items[0]!.createdAt).toBeInstanceOf(Date);

    const bad = await call("runs.list", { pageSize: 1000 });
    expect(bad.status).toBe(400);
    const error = superjson.deserialize(bad.body.error as never) as {
      data: { code: string; zodError: { fieldErrors: Record<string, string[]> } };
    };
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(Object.keys(error.data.zodError.fieldErrors)).toEqual(["pageSize"]);

    const missing = await call("runs.get", { id: 987654 });
    expect(missing.status).toBe(404);
  });
}
