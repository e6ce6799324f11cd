import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { arrivalSuite } from "./arrival-suite.ts";

describe("prediction on arrival (SQLite)", () => arrivalSuite("sqlite", sqliteDatabase));
