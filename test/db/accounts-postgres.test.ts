import { describe } from "vitest";
import { accountsSuite } from "./accounts-suite.ts";
import { postgresDatabase, postgresServer } from "./databases.ts";

// store-postgres.test.ts already says when CXRLAB_TEST_POSTGRES_URL is unset.
describe.skipIf(!postgresServer)("API tokens, memberships and the audit log on PostgreSQL", () =>
  accountsSuite(postgresDatabase),
);
