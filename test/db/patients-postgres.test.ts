import { describe } from "vitest";
import { postgresDatabase, postgresServer } from "./databases.ts";
import { patientSuite } from "./patients-suite.ts";

// store-postgres.test.ts already says when CXRLAB_TEST_POSTGRES_URL is unset.
describe.skipIf(!postgresServer)("patient archive on PostgreSQL", () => patientSuite(postgresDatabase));
