import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { patientsSuite } from "./patients-suite.ts";

describe("patients API on SQLite", () => patientsSuite(sqliteDatabase));
