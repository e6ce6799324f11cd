import { describe } from "vitest";
import { collaborationSuite } from "./collaboration-suite.ts";
import { postgresDatabase, postgresServer } from "./databases.ts";

// store-postgres.test.ts already says when CXRLAB_TEST_POSTGRES_URL is unset.
describe.skipIf(!postgresServer)("comments, stars and model promotions on PostgreSQL", () =>
  collaborationSuite(postgresDatabase),
);
