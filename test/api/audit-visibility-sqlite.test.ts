import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { auditVisibilitySuite } from "./audit-visibility-suite.ts";

describe("audit visibility on SQLite", () => auditVisibilitySuite(sqliteDatabase));
