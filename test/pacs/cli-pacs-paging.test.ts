// QIDO-RS paging against a real Orthanc: more studies, series and instances than one page holds
// are all found (limit/offset until a short page), and a search matching more than --max-matches
// stops with an error naming the source and the search.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDicom, TRANSFER_SYNTAX } from "@cxrlab/core/testing";
import { openStore } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "../helpers.ts";
import { offsetIgnoringProxy } from "./faulty-servers.ts";
import { type Orthanc, orthancInstalled, startOrthanc } from "./orthanc.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-pacs-paging-"));
const env = {
  DATABASE_URL: `file:${path.join(tmp, "store.db")}`,
  CXRLAB_IMAGE_STORE: path.join(tmp, "images"),
  CXRLAB_CACHE: path.join(tmp, "cache"),
  PACS_PASSWORD: "",
};
const cli = (...args: string[]) => runCli(args, { env });
const uid = (n: string) => `1.2.826.0.1.3680043.8.498.78.${n}`;
const SIZE = 16;

/** A small DX DICOM whose pixels differ per instance (the archive dedups by content). */
function dicom(n: number, attributes: Record<string, string>): Promise<Buffer> {
  return buildDicom({
    width: SIZE,
    height: SIZE,
    pixels: Array.from({ length: SIZE * SIZE }, (_, i) => (i * 7 + n * 13) % 256),
    bitsAllocated: 8,
    transferSyntax: TRANSFER_SYNTAX.explicitLittle,
    window: { center: 128, width: 256 },
    attributes: { PatientID: "PAGED-1", PatientName: "Paged^Pat", Modality: "DX", ...attributes },
  });
}

/** Three studies; the last has two series of three instances: 2 + 6 = 8 instances. */
const LAYOUT = [
  { study: "1", date: "20240101", series: [["1.1", 1]] },
  { study: "2", date: "20240201", series: [["2.1", 1]] },
  {
    study: "3",
    date: "20240301",
    series: [
      ["3.1", 3],
      ["3.2", 3],
    ],
  },
] as const;

interface Pull {
  studies: { studyInstanceUid: string; retrieved: number }[];
  new: unknown[];
}

const skip = orthancInstalled();

describe.skipIf(skip)("QIDO-RS paging against a real Orthanc", { timeout: 600_000 }, () => {
  let orthanc: Orthanc;
  let instances = 0;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    env.PACS_PASSWORD = orthanc.password;
    for (const { study, date, series } of LAYOUT)
      for (const [s, count] of series)
        for (let i = 1; i <= count; i++)
          await orthanc.rest(
            "POST",
            "/instances",
            await dicom(++instances, {
              StudyInstanceUID: uid(study),
              StudyDate: date,
              SeriesInstanceUID: uid(s),
              SOPInstanceUID: uid(`${s}.${i}`),
            }),
          );
    const added = await cli(
      "pacs",
      "add",
      "orthanc",
      "--url",
      orthanc.dicomWeb,
      "--user",
      orthanc.user,
      "--password-env",
      "PACS_PASSWORD",
    );
    expect(added.code, added.stderr).toBe(0);
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  it("the PACS answers one page per request: limit and offset are honoured", async () => {
    const page = async (offset: number) => {
      const response = await fetch(`${orthanc.dicomWeb}/studies?PatientID=PAGED-1&limit=2&offset=${offset}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64")}`,
        },
      });
      return ((await response.json()) as unknown[]).length;
    };
    expect([await page(0), await page(2)]).toEqual([2, 1]);
  });

  it("finds every study, series and instance when each search takes several pages", async () => {
    const result = await cli("pacs", "pull", "--patient", "PAGED-1", "--page-size", "2", "--json");
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<Pull>(result);
    expect(report.studies.map((s) => [s.studyInstanceUid, s.retrieved])).toEqual([
      [uid("1"), 1],
      [uid("2"), 1],
      [uid("3"), 6],
    ]);
    expect(report.new).toHaveLength(instances);
    const store = await openStore(env.DATABASE_URL);
    try {
      expect(await store.prisma.image.count()).toBe(instances);
    } finally {
      await store.close();
    }
    // Page size 1: every page but the last is full; nothing is found twice or missed.
    const again = parseJson<Pull>(
      await cli("pacs", "pull", "--patient", "PAGED-1", "--page-size", "1", "--json"),
    );
    expect(again.studies).toHaveLength(3);
    expect(again.new).toEqual([]);
  });

  it("stops with an error naming the source and the search when more match than --max-matches", async () => {
    const result = await cli(
      "pacs",
      "pull",
      "--patient",
      "PAGED-1",
      "--page-size",
      "2",
      "--max-matches",
      "2",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`PACS orthanc (${orthanc.dicomWeb})`);
    expect(result.stderr).toContain("the study search (QIDO-RS) matches more than 2");
  });

  it("stops with an error when the PACS answers every offset with its first page", async () => {
    const proxy = await offsetIgnoringProxy(orthanc.url);
    try {
      const url = `${proxy.url}/dicom-web`;
      const added = await cli(
        "pacs",
        "add",
        "no-offset",
        "--url",
        url,
        "--user",
        orthanc.user,
        "--password-env",
        "PACS_PASSWORD",
      );
      expect(added.code, added.stderr).toBe(0);
      const result = await cli(
        "pacs",
        "pull",
        "--source",
        "no-offset",
        "--patient",
        "PAGED-1",
        "--page-size",
        "2",
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `PACS no-offset (${url}): the study search (QIDO-RS) answered offset 2 with the page before it`,
      );
    } finally {
      await proxy.close();
    }
  });
});
