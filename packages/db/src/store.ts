import { closeSync, existsSync, openSync } from "node:fs";
import path from "node:path";
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from "@cxrlab/core/private-files";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import Database from "better-sqlite3";
import { type DatabaseTarget, resolveDatabase } from "./database-url.ts";
import { PrismaClient as PostgresClient } from "./generated/postgresql/client.ts";
import { PrismaClient } from "./generated/sqlite/client.ts";

/** How long a SQLite writer waits for another process's lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/**
 * Options of a transaction that writes a whole batch (e.g. a run's test predictions): Prisma's
 * default of 5 s would end one on a slow disk or a busy server. Nothing is read from files inside.
 */
export const BATCH_TRANSACTION = { maxWait: 30_000, timeout: 10 * 60_000 };

/**
 * Both generated clients come from schemas that differ only in their datasource (a test checks),
 * so the query layer is written once against the SQLite client's type.
 */
export type StoreClient = PrismaClient;

export interface Store {
  prisma: StoreClient;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/** Opens the experiment store at `url` (default: DATABASE_URL, else the per-user SQLite file). */
export async function openStore(url?: string): Promise<Store> {
  const target = resolveDatabase(url);
  const prisma = target.file ? openSqlite(target.file) : openPostgres(target.url);
  await prisma.$connect();
  return { prisma, target, close: () => prisma.$disconnect() };
}

function openSqlite(file: string): StoreClient {
  // The store holds patient data: a new one is its user's alone (folders 0700, file 0600; SQLite
  // gives its -wal and -shm files the database file's permissions).
  mkdirPrivateSync(path.dirname(file));
  if (!existsSync(file)) closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  // WAL lets readers and one writer work at once; the mode is stored in the file.
  const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  db.pragma("journal_mode = WAL");
  db.close();
  return new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }),
  });
}

function openPostgres(url: string): StoreClient {
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as StoreClient;
}
