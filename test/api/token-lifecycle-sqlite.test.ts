import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { tokenLifecycleSuite } from "./token-lifecycle-suite.ts";

describe("API tokens and disabled accounts on SQLite", () => tokenLifecycleSuite(sqliteDatabase));
