import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "./databases.ts";
import { pacsSourceSuite } from "./pacs-sources-suite.ts";

// store-postgres.test.ts already says when CXRLAB_TEST_POSTGRES_URL is unset.
describe.skipIf(!postgresServer)("PACS sources on PostgreSQL", () => pacsSourceSuite(postgresDatabase));
