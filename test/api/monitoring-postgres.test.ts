import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { monitoringSuite } from "./monitoring-suite.ts";

if (!postgresServer) {
  console.warn("monitoring on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)");
}

describe.skipIf(!postgresServer)("monitoring on PostgreSQL", () => monitoringSuite(postgresDatabase));
