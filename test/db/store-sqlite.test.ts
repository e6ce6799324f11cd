import { describe } from "vitest";
import { sqliteDatabase } from "./databases.ts";
import { storeSuite } from "./store-suite.ts";

describe("experiment store on SQLite", () => storeSuite("sqlite", sqliteDatabase));
