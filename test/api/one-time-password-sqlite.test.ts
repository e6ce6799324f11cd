import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { oneTimePasswordSuite } from "./one-time-password-suite.ts";

describe("one-time passwords on SQLite", () => oneTimePasswordSuite(sqliteDatabase));
