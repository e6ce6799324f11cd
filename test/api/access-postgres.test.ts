import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { accessSuite } from "./access-suite.ts";

if (!postgresServer) {
  console.warn("access control on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)");
}

describe.skipIf(!postgresServer)("access control on PostgreSQL", () => accessSuite(postgresDatabase));
