import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { oneTimePasswordSuite } from "./one-time-password-suite.ts";

if (!postgresServer) {
  console.warn(
    "one-time passwords on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("one-time passwords on PostgreSQL", () =>
  oneTimePasswordSuite(postgresDatabase),
);
