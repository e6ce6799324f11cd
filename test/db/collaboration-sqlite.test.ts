import { describe } from "vitest";
import { collaborationSuite } from "./collaboration-suite.ts";
import { sqliteDatabase } from "./databases.ts";

describe("comments, stars and model promotions on SQLite", () => collaborationSuite(sqliteDatabase));
