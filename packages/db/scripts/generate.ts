// Generates the Prisma client of each provider into src/generated/. Needs no schema engine, so
// PRISMA_SCHEMA_ENGINE_BINARY defaults to /bin/false (the CLI would otherwise try to download one).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { schemaPath } from "../src/database-url.ts";

const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
for (const provider of ["sqlite", "postgresql"] as const) {
  execFileSync(process.execPath, [prismaCli, "generate", "--no-hints", "--schema", schemaPath(provider)], {
    cwd: path.resolve(import.meta.dirname, ".."),
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
      ...process.env,
    },
  });
}
