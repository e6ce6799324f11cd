import { describe } from "vitest";
import { sqliteDatabase } from "./databases.ts";
import { patientSuite } from "./patients-suite.ts";

describe("patient archive on SQLite", () => patientSuite(sqliteDatabase));
