import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { auditVisibilitySuite } from "./audit-visibility-suite.ts";

if (!postgresServer) {
  console.warn(
    "audit visibility on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("audit visibility on PostgreSQL", () =>
  auditVisibilitySuite(postgresDatabase),
);
