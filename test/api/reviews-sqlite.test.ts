import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { reviewsSuite } from "./reviews-suite.ts";

describe("reviews and the worklist on SQLite", () => reviewsSuite(sqliteDatabase));
