import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { type DatabaseTarget, migrationsDir } from "./database-url.ts";
import { SQLITE_BUSY_TIMEOUT_MS, type Store } from "./store.ts";

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as Prisma records it. */
  checksum: string;
}

/** Committed migrations of a provider, oldest first (directory names start with a timestamp). */
export function committedMigrations(provider: DatabaseTarget["provider"]): MigrationFile[] {
  const dir = migrationsDir(provider);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Prisma's own DDL for its history table, so `prisma migrate deploy` accepts what we record.
const HISTORY_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
};

/** Prisma Migrate's advisory lock key, so our runner and `prisma migrate deploy` exclude each other. */
const PRISMA_ADVISORY_LOCK = 72707369;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Which migrations to run; refuses a history that diverges from the committed files. */
function pending(all: MigrationFile[], applied: AppliedRow[]): MigrationFile[] {
  const live = applied.filter((r) => r.rolled_back_at === null);
  const failed = live.find((r) => r.finished_at === null);
  if (failed) {
    throw new Error(
      `migration ${failed.migration_name} failed earlier; fix the database, then mark it resolved`,
    );
  }
  const known = new Map(all.map((m) => [m.name, m]));
  for (const row of live) {
    const file = known.get(row.migration_name);
    if (!file)
      throw new Error(`the database has migration ${row.migration_name}, which is not in this checkout`);
    if (file.checksum !== row.checksum) {
      throw new Error(`migration ${row.migration_name} was edited after it was applied (checksum differs)`);
    }
  }
  const done = new Set(live.map((r) => r.migration_name));
  return all.filter((m) => !done.has(m.name));
}

/**
 * Applies the committed migrations that the store lacks, recording each in `_prisma_migrations` as
 * Prisma does. Safe to run again and from several processes at once (each migration commits
 * atomically under a database lock). Returns the names applied now.
 */
export async function migrate(store: Store): Promise<string[]> {
  const all = committedMigrations(store.target.provider);
  return store.target.file ? migrateSqlite(store.target.file, all) : migratePostgres(store.target.url, all);
}

function migrateSqlite(file: string, all: MigrationFile[]): string[] {
  const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    // Table rebuilds must not cascade deletes; foreign_key_check below verifies the result instead.
    db.pragma("foreign_keys = OFF");
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(HISTORY_TABLE.sqlite);
      const applied = db.prepare('SELECT * FROM "_prisma_migrations"').all() as AppliedRow[];
      const todo = pending(all, applied);
      const record = db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      );
      for (const m of todo) {
        const startedAt = Date.now();
        db.exec(m.sql);
        record.run(randomUUID(), m.checksum, m.name, startedAt, Date.now());
      }
      const broken = db.pragma("foreign_key_check") as unknown[];
      if (broken.length > 0) throw new Error(`migrations left ${broken.length} broken foreign keys`);
      db.exec("COMMIT");
      return todo.map((m) => m.name);
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, all: MigrationFile[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(HISTORY_TABLE.postgresql);
    const applied = (await client.query<AppliedRow>('SELECT * FROM "_prisma_migrations"')).rows;
    const todo = pending(all, applied);
    for (const m of todo) {
      await client.query("BEGIN");
      try {
        const id = randomUUID();
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`);
      }
    }
    return todo.map((m) => m.name);
  } finally {
    await client.end();
  }
}
