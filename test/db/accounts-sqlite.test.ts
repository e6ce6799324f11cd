import { describe } from "vitest";
import { accountsSuite } from "./accounts-suite.ts";
import { sqliteDatabase } from "./databases.ts";

describe("API tokens, memberships and the audit log on SQLite", () => accountsSuite(sqliteDatabase));
