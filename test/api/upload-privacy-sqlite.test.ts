import { describe } from "vitest";
import { sqliteDatabase } from "../db/databases.ts";
import { uploadPrivacySuite } from "./upload-privacy-suite.ts";

describe("uploads keep other projects' patients private on SQLite", () => uploadPrivacySuite(sqliteDatabase));
