import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { reviewsSuite } from "./reviews-suite.ts";

if (!postgresServer) {
  console.warn("reviews on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)");
}

describe.skipIf(!postgresServer)("reviews and the worklist on PostgreSQL", () =>
  reviewsSuite(postgresDatabase),
);
