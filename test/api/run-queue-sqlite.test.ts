import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { runQueueSuite } from "./run-queue-suite.ts";

describe("runs.create and runs.cancel on SQLite", () => runQueueSuite(sqliteDatabase));
