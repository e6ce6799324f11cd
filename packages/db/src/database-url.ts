import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readEnv } from "@cxrlab/core/env";

export type Provider = "sqlite" | "postgresql";

export interface DatabaseTarget {
  url: string;
  provider: Provider;
  /** The database file, for SQLite. */
  file?: string;
}

/** The per-user SQLite file used when no URL is given. */
export function defaultDatabaseUrl(): string {
  return `file:${path.join(os.homedir(), ".local", "share", "cxrlab", "cxrlab.db")}`;
}

/** The explicit URL, else DATABASE_URL, else the per-user SQLite file; the URL picks the provider. */
export function resolveDatabase(url?: string): DatabaseTarget {
  const chosen = url ?? readEnv().DATABASE_URL ?? defaultDatabaseUrl();
  if (/^postgres(ql)?:\/\//.test(chosen)) return { url: chosen, provider: "postgresql" };
  if (chosen.startsWith("file:")) {
    const file = path.resolve(chosen.slice("file:".length));
    return { url: `file:${file}`, provider: "sqlite", file };
  }
  throw new Error(`database URL "${chosen}": expected file:/path/to/x.db (SQLite) or postgresql://…`);
}

/** Folder of this repository's `prisma/` schemas and migrations. */
// import.meta.url rather than import.meta.dirname: the web app's bundler (Turbopack) rewrites only the former.
export const prismaDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "prisma",
);

export function schemaPath(provider: Provider): string {
  return path.join(prismaDir, provider, "schema.prisma");
}

export function migrationsDir(provider: Provider): string {
  return path.join(prismaDir, provider, "migrations");
}
