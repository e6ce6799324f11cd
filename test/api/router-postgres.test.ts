import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { routerSuite } from "./router-suite.ts";

if (!postgresServer) {
  console.warn("dashboard API on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)");
}

describe.skipIf(!postgresServer)("dashboard API on PostgreSQL", () => routerSuite(postgresDatabase));
