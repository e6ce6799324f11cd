import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { tokenLifecycleSuite } from "./token-lifecycle-suite.ts";

if (!postgresServer) {
  console.warn(
    "API tokens and disabled accounts on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("API tokens and disabled accounts on PostgreSQL", () =>
  tokenLifecycleSuite(postgresDatabase),
);
