import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { routerSuite } from "./router-suite.ts";

describe("dashboard API on SQLite", () => routerSuite(sqliteDatabase));
