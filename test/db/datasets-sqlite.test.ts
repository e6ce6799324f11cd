import { describe } from "vitest";
import { sqliteDatabase } from "./databases.ts";
import { datasetsSuite } from "./datasets-suite.ts";

describe("dataset versions on SQLite", () => datasetsSuite(sqliteDatabase));
