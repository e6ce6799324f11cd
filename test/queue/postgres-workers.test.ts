import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { queueSuite } from "./queue-suite.ts";

if (!postgresServer) {
  console.warn("job queue on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)");
}

describe.skipIf(!postgresServer)("job queue on PostgreSQL", () => queueSuite(postgresDatabase));
