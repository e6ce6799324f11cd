import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "../db/databases.ts";
import { uploadPrivacySuite } from "./upload-privacy-suite.ts";

if (!postgresServer) {
  console.warn(
    "uploads keep other projects' patients private on PostgreSQL: SKIPPED (set CXRLAB_TEST_POSTGRES_URL=postgresql://… to run)",
  );
}

describe.skipIf(!postgresServer)("uploads keep other projects' patients private on PostgreSQL", () =>
  uploadPrivacySuite(postgresDatabase),
);
