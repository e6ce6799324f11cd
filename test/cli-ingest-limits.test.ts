import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_INPUT_LIMITS } from "@cxrlab/core/limits";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImagePaths } from "./api/fixture.ts";
import { parseJson, runCli } from "./helpers.ts";
import { dicomDeclaring, pngDeclaring } from "./pixel-bombs.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-ingest-limits-"));
const imageStore = path.join(tmp, "images");
const folder = path.join(tmp, "incoming");
const env = { DATABASE_URL: `file:${path.join(tmp, "store.db")}`, CXRLAB_IMAGE_STORE: imageStore };

interface Report {
  new: { file: string }[];
  rejected: { file: string; reason: string; kind: string }[];
}

const ingest = (extraEnv: Record<string, string> = {}) =>
  runCli(["ingest", folder, "--patient", "LIMITS-1", "--json"], { env: { ...env, ...extraEnv } });

beforeAll(async () => {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, "bomb.png"), await pngDeclaring(30000, 30000));
  writeFileSync(path.join(folder, "bomb.dcm"), await dicomDeclaring(60000, 60000, "LIMITS-2"));
  copyFileSync(sampleImagePaths(1)[0]!.path, path.join(folder, "xray.png"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("cxrlab ingest and the pixel limit", () => {
  it("refuses PNG and DICOM pixel bombs from their headers, under the same limit as uploads", async () => {
    const result = await ingest();
    const report = parseJson<Report>(result);
    expect(report.new.map((e) => path.basename(e.file))).toEqual(["xray.png"]);
    const limit = DEFAULT_INPUT_LIMITS.pixels.toLocaleString("en-US");
    expect(
      Object.fromEntries(report.rejected.map((r) => [path.basename(r.file), [r.kind, r.reason]])),
    ).toEqual({
      "bomb.dcm": [
        "pixels",
        `60000×60000 = 3,600,000,000 pixels, more than the limit of ${limit} (CXRLAB_MAX_IMAGE_PIXELS); not decoded`,
      ],
      "bomb.png": [
        "pixels",
        `30000×30000 = 900,000,000 pixels, more than the limit of ${limit} (CXRLAB_MAX_IMAGE_PIXELS); not decoded`,
      ],
    });
  });

  it("takes the limit from CXRLAB_MAX_IMAGE_PIXELS (a real X-ray above a lowered limit is refused)", async () => {
    rmSync(imageStore, { recursive: true, force: true });
    const report = parseJson<Report>(
      await ingest({ CXRLAB_MAX_IMAGE_PIXELS: "10000", DATABASE_URL: `file:${path.join(tmp, "second.db")}` }),
    );
    expect(report.new).toEqual([]);
    const xray = report.rejected.find((r) => path.basename(r.file) === "xray.png");
    expect(xray).toMatchObject({
      kind: "pixels",
      reason: expect.stringContaining("more than the limit of 10,000"),
    });
    expect(existsSync(imageStore)).toBe(false);
  });
});
