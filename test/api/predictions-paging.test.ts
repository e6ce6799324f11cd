import type { createCaller } from "@cxrlab/api";
import { migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DatabaseFactory,
  postgresDatabase,
  postgresServer,
  sqliteDatabase,
  type TestDatabase,
} from "../db/databases.ts";
import { adminOfEverything, callerAs } from "./accounts.ts";
import { type BigRun, seedBigRun } from "./seed-predictions.ts";

const COUNT = 10_000;

type Prediction = BigRun["predictions"][number];

/** Expected order: by confidence (or image id), ties by prediction order = insertion order. */
function expected(rows: Prediction[], pick: (p: Prediction) => boolean, dir: 1 | -1): number[] {
  return rows
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => pick(p))
    .sort((a, b) => dir * (a.p.confidence - b.p.confidence) || dir * (a.i - b.i))
    .map(({ p }) => p.imageId);
}

function pagingSuite(newDatabase: DatabaseFactory) {
  let db: TestDatabase;
  let store: Store;
  let big: BigRun;
  let api: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    big = await seedBigRun(store, COUNT);
    api = await callerAs(store, await adminOfEverything(store));
  }, 600_000);
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const walk = async (input: Omit<Parameters<typeof api.predictions.list>[0], "runId" | "page">) => {
    const ids: number[] = [];
    let total = -1;
    for (let page = 1; ; page++) {
      const got = await api.predictions.list({ runId: big.runId, pageSize: 100, page, ...input });
      if (total < 0) total = got.total;
      expect(got.total).toBe(total);
      if (got.items.length === 0) break;
      ids.push(...got.items.map((p) => p.imageId));
    }
    expect(ids.length).toBe(total);
    return ids;
  };

  it(`pages all ${COUNT} predictions by confidence without repeating or skipping tied rows`, async () => {
    expect(big.predictions).toHaveLength(COUNT);
    const ids = await walk({ sort: "confidence", dir: "desc" });
    expect(new Set(ids).size).toBe(COUNT);
    expect(ids).toEqual(expected(big.predictions, () => true, -1));
  });

  it("pages the misclassified ones and a class within a confidence band", async () => {
    const wrong = await walk({ misclassified: true, sort: "confidence", dir: "asc" });
    expect(wrong).toEqual(expected(big.predictions, (p) => p.trueLabel !== p.predictedLabel, 1));
    expect(wrong.length).toBeGreaterThan(1000);
    const band = (p: Prediction) => p.trueLabel === "Normal" && p.confidence >= 0.4 && p.confidence <= 0.6;
    const banded = await walk({
      trueLabel: "Normal",
      minConfidence: 0.4,
      maxConfidence: 0.6,
      sort: "confidence",
      dir: "desc",
    });
    expect(banded).toEqual(expected(big.predictions, band, -1));
  });

  it("answers a deep page and filter totals directly", async () => {
    const all = expected(big.predictions, () => true, -1);
    const page = await api.predictions.list({ runId: big.runId, page: 73, pageSize: 100 });
    expect(page.items.map((p) => p.imageId)).toEqual(all.slice(7200, 7300));
    const predictedCovid = await api.predictions.list({
      runId: big.runId,
      predictedLabel: "COVID",
      misclassified: true,
      pageSize: 1,
    });
    expect(predictedCovid.total).toBe(
      big.predictions.filter((p) => p.predictedLabel === "COVID" && p.trueLabel !== "COVID").length,
    );
  });
}

describe(`${COUNT} predictions on SQLite`, () => pagingSuite(sqliteDatabase));
describe.skipIf(!postgresServer)(`${COUNT} predictions on PostgreSQL`, () => pagingSuite(postgresDatabase));
