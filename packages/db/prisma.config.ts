// Prisma CLI config (`npx prisma …` run in packages/db). DATABASE_URL picks the schema and
// migrations of its provider, so `prisma migrate deploy` works against either database.
import { defineConfig } from "prisma/config";
import { migrationsDir, resolveDatabase, schemaPath } from "./src/database-url.ts";

const { url, provider } = resolveDatabase();

export default defineConfig({
  schema: schemaPath(provider),
  migrations: { path: migrationsDir(provider) },
  datasource: { url },
});
