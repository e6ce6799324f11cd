import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readEnv } from "@cxrlab/core/env";
import { createScratchPostgres } from "@cxrlab/db/testing";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export type DatabaseFactory = () => Promise<TestDatabase>;

export const sqliteDatabase: DatabaseFactory = async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-db-test-"));
  return { url: `file:${path.join(dir, "store.db")}`, drop: async () => rmSync(dir, { recursive: true }) };
};

/** A fresh database on CXRLAB_TEST_POSTGRES_URL's server; undefined when that variable is unset. */
export const postgresServer = readEnv().CXRLAB_TEST_POSTGRES_URL;

export const postgresDatabase: DatabaseFactory = async () => {
  if (!postgresServer) throw new Error("CXRLAB_TEST_POSTGRES_URL is not set");
  return createScratchPostgres(postgresServer);
};
