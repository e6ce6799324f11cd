import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "./databases.ts";
import { datasetsSuite } from "./datasets-suite.ts";

if (!postgresServer) {
  console.warn(
    "dataset versions on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("dataset versions on PostgreSQL", () => datasetsSuite(postgresDatabase));
