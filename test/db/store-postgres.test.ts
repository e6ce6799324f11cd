import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "./databases.ts";
import { storeSuite } from "./store-suite.ts";

if (!postgresServer) {
  console.warn(
    "experiment store on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("experiment store on PostgreSQL", () =>
  storeSuite("postgresql", postgresDatabase),
);
