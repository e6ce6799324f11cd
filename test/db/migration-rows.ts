import { committedMigrations } from "@cxrlab/db";
import Database from "better-sqlite3";
import pg from "pg";
import { expect } from "vitest";
import { postgresDatabase, sqliteDatabase } from "./databases.ts";

type Provider = "sqlite" | "postgresql";
type Row = Record<string, unknown>;

/**
 * Builds a store with every migration before the one named `migration`, writes `rows` with that
 * schema's SQL, applies the migration and returns what each of `reads` selects afterwards: how a
 * backfilling migration is tested on both providers. The database is dropped afterwards.
 */
export async function migrateRows(provider: Provider, migration: string, rows: string, reads: string[]) {
  const all = committedMigrations(provider);
  const at = all.findIndex((m) => m.name.endsWith(`_${migration}`));
  expect(at).toBeGreaterThan(0);
  const before = all.slice(0, at);
  const db = provider === "sqlite" ? await sqliteDatabase() : await postgresDatabase();
  try {
    if (provider === "sqlite") {
      const sqlite = new Database(db.url.slice("file:".length));
      try {
        for (const m of before) sqlite.exec(m.sql);
        sqlite.exec(rows);
        sqlite.exec(all[at]!.sql);
        return reads.map((sql) => sqlite.prepare(sql).all() as Row[]);
      } finally {
        sqlite.close();
      }
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const m of before) await client.query(m.sql);
      await client.query(rows);
      await client.query(all[at]!.sql);
      const out: Row[][] = [];
      for (const sql of reads) out.push((await client.query(sql)).rows);
      return out;
    } finally {
      await client.end();
    }
  } finally {
    await db.drop();
  }
}
