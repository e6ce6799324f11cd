import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { runQueueSuite } from "./run-queue-suite.ts";

if (!postgresServer)
  console.warn("runs.create and runs.cancel on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL)");

describe.skipIf(!postgresServer)("runs.create and runs.cancel on PostgreSQL", () =>
  runQueueSuite(postgresDatabase),
);
