import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { accessSuite } from "./access-suite.ts";

describe("access control on SQLite", () => accessSuite(sqliteDatabase));
