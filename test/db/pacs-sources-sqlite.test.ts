import { describe } from "vitest";
import { sqliteDatabase } from "./databases.ts";
import { pacsSourceSuite } from "./pacs-sources-suite.ts";

describe("PACS sources on SQLite", () => pacsSourceSuite(sqliteDatabase));
