import { committedMigrations } from "@cxrlab/db";
import { urgencyOf } from "@cxrlab/validators/reviews";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresDatabase, postgresServer, sqliteDatabase, type TestDatabase } from "./databases.ts";

// The reviews migration adds Prediction.urgency (what the worklist sorts by); predictions recorded
// before it must come out with the value recordPredictions would have given them.
const MIGRATION = "reviews";

const PROBABILITIES: Record<string, number>[] = [
  { COVID: 0.7, Normal: 0.2, "Viral Pneumonia": 0.1 },
  { COVID: 0.1, NORMAL: 0.3, "Viral Pneumonia": 0.6 },
  { normal: 0.9, Effusion: 0.1 },
  { Cat: 0.25, Dog: 0.75 },
  { Normal: 1 },
];

const ROWS = `
INSERT INTO "Run" ("id", "name", "preset", "config", "seed") VALUES (1, 'old', 'quick', '{}', 1);
INSERT INTO "Image" ("id", "sha256", "location", "format", "width", "height", "bytes")
  VALUES ${PROBABILITIES.map((_, i) => `(${i + 1}, 'h${i}', '/${i}.png', 'png', 1, 1, 1)`).join(", ")};
INSERT INTO "Prediction" ("id", "runId", "imageId", "probabilities", "predictedLabel", "confidence") VALUES
  ${PROBABILITIES.map((p, i) => `(${i + 1}, 1, ${i + 1}, '${JSON.stringify(p)}', '${Object.keys(p)[0]}', 0.5)`).join(",\n  ")};
`;

const READ = `SELECT "id", "urgency" FROM "Prediction" ORDER BY "id"`;

function split(provider: "sqlite" | "postgresql") {
  const all = committedMigrations(provider);
  const at = all.findIndex((m) => m.name.endsWith(`_${MIGRATION}`));
  expect(at).toBeGreaterThan(0);
  return { before: all.slice(0, at), migration: all[at]! };
}

function expectBackfilled(rows: Record<string, unknown>[]) {
  const expected = PROBABILITIES.map((p, i) => ({ id: i + 1, urgency: urgencyOf(p) }));
  expect(expected.map((e) => e.urgency)).toEqual([0.7, 0.6, 0.1, 0.75, 0]);
  expect(rows.map((r) => ({ id: Number(r.id), urgency: Number(r.urgency) }))).toEqual(expected);
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

describe(`migration ${MIGRATION}`, () => {
  it("fills Prediction.urgency of rows recorded before it on SQLite", async () => {
    const db = await sqliteDatabase();
    databases.push(db);
    const { before, migration } = split("sqlite");
    const sqlite = new Database(db.url.slice("file:".length));
    try {
      for (const m of before) sqlite.exec(m.sql);
      sqlite.exec(ROWS);
      sqlite.exec(migration.sql);
      expectBackfilled(sqlite.prepare(READ).all() as Record<string, unknown>[]);
    } finally {
      sqlite.close();
    }
  });

  it.skipIf(!postgresServer)(
    "fills Prediction.urgency of rows recorded before it on PostgreSQL",
    async () => {
      const db = await postgresDatabase();
      databases.push(db);
      const { before, migration } = split("postgresql");
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        for (const m of before) await client.query(m.sql);
        await client.query(ROWS);
        await client.query(migration.sql);
        expectBackfilled((await client.query(READ)).rows);
      } finally {
        await client.end();
      }
    },
  );
});
