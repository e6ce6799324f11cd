// `npm run db:migration -w packages/db -- <name>`: writes the SQL that brings each provider's committed
// migrations up to prisma/<provider>/schema.prisma, as prisma/<provider>/migrations/<timestamp>_<name>/.
// Applies the committed migrations to a scratch database, then lets Prisma's wasm schema engine (over
// the driver adapters, so no schema-engine binary is needed) diff it against the schema. SQLite uses a
// temporary file; PostgreSQL needs CXRLAB_TEST_POSTGRES_URL (or DATABASE_URL) pointing at a server
// where it may create and drop a scratch database.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { readEnv } from "@cxrlab/core/env";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as engineGlue from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { migrationsDir, type Provider, schemaPath } from "../src/database-url.ts";
import { migrate } from "../src/migrate.ts";
import { createScratchPostgres } from "../src/scratch-postgres.ts";
import { openStore } from "../src/store.ts";

interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: object,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

async function loadEngineWasm(): Promise<void> {
  const glue = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bytes = readFileSync(glue.replace(/\.js$/, ".wasm"));
  // The package imports its .wasm as an ES module, which Node cannot; instantiate it by hand.
  // (WebAssembly is a Node global that this repo's ES-only lib types do not declare.)
  const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmApi };
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": engineGlue });
  engineGlue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
}

/**
 * adapter-pg 7.10 cannot type PostgreSQL's internal `"char"` columns, which the engine's introspection
 * reads from pg_catalog; pg already parses them as strings, so report them as text.
 */
function charAsTextPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url });
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  pool.query = (async (config: pg.QueryConfig) => {
    const result = await query(config);
    for (const field of result.fields ?? [])
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  }) as typeof pool.query;
  return pool;
}
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** A scratch database with the committed migrations applied: what the new migration starts from. */
async function scratchDatabase(provider: Provider): Promise<{ url: string; drop(): Promise<void> }> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-migration-"));
    return {
      url: `file:${path.join(dir, "scratch.db")}`,
      drop: async () => rmSync(dir, { recursive: true }),
    };
  }
  const env = readEnv();
  const server = env.CXRLAB_TEST_POSTGRES_URL ?? env.DATABASE_URL;
  if (!server?.startsWith("postgres")) {
    throw new Error(
      "a PostgreSQL migration needs CXRLAB_TEST_POSTGRES_URL=postgresql://… to create a scratch database",
    );
  }
  return createScratchPostgres(server);
}

async function createMigration(provider: Provider, dirName: string): Promise<string | null> {
  const schemaFile = schemaPath(provider);
  const schema = readFileSync(schemaFile, "utf8");
  mkdirSync(migrationsDir(provider), { recursive: true });
  const scratch = await scratchDatabase(provider);
  try {
    const store = await openStore(scratch.url);
    await migrate(store);
    await store.close();
    const adapter =
      provider === "sqlite"
        ? new PrismaBetterSqlite3({ url: scratch.url })
        : new PrismaPg(charAsTextPool(scratch.url));
    const engine = await engineGlue.SchemaEngine.new(
      { datamodels: [[schemaFile, schema]] },
      () => {},
      bindMigrationAwareSqlAdapterFactory(adapter),
    );
    try {
      const files = [{ path: schemaFile, content: schema }];
      const diff = await engine.diff({
        from: { tag: "schemaDatasource", files, configDir: path.dirname(schemaFile) },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: true,
        filters: { externalTables: [], externalEnums: [] },
      });
      if (diff.exitCode !== 2 || !diff.stdout) return null;
      const dir = path.join(migrationsDir(provider), dirName);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "migration.sql"), diff.stdout);
      const lock = path.join(migrationsDir(provider), "migration_lock.toml");
      if (!existsSync(lock)) {
        writeFileSync(
          lock,
          `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
        );
      }
      return dir;
    } finally {
      engine.free();
    }
  } finally {
    await scratch.drop();
  }
}

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lower-case letters, digits and _)");
  process.exit(2);
}
await loadEngineWasm();
// One directory name for both providers, so their histories line up.
const dirName = `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${name}`;
for (const provider of ["sqlite", "postgresql"] as const) {
  const dir = await createMigration(provider, dirName);
  console.log(
    dir
      ? `${provider}: wrote ${path.relative(process.cwd(), dir)}`
      : `${provider}: schema unchanged, no migration`,
  );
}
