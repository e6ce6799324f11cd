import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { arrivalSuite } from "./arrival-suite.ts";

if (!postgresServer) {
  console.warn(
    "prediction on arrival on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("prediction on arrival (PostgreSQL)", () =>
  arrivalSuite("postgresql", postgresDatabase),
);
