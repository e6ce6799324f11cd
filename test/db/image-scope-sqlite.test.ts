import { describe } from "vitest";
import { sqliteDatabase } from "./databases.ts";
import { imageScopeSuite } from "./image-scope-suite.ts";

describe("image rows shared between projects and the archive, on SQLite", () =>
  imageScopeSuite(sqliteDatabase));
