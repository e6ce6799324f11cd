import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { monitoringSuite } from "./monitoring-suite.ts";

describe("monitoring on SQLite", () => monitoringSuite(sqliteDatabase));
