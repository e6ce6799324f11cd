import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "./databases.ts";
import { imageScopeSuite } from "./image-scope-suite.ts";

// store-postgres.test.ts already says when CXRLAB_TEST_POSTGRES_URL is unset.
describe.skipIf(!postgresServer)("image rows shared between projects and the archive, on PostgreSQL", () =>
  imageScopeSuite(postgresDatabase),
);
