import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { queueSuite } from "./queue-suite.ts";

// Worker processes share one SQLite file, as on a single machine.
describe("job queue on SQLite", () => queueSuite(sqliteDatabase));
