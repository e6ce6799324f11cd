import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { patientsSuite } from "./patients-suite.ts";

if (!postgresServer) {
  console.warn("patients API on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)");
}

describe.skipIf(!postgresServer)("patients API on PostgreSQL", () => patientsSuite(postgresDatabase));
