/**
 * `cxrlab reviews list|export` on a store where two readers reviewed archive images a run
 * predicted (through the API, as the worklist records them): the real CLI prints them as text,
 * JSON and CSV, audits the view, and refuses an unknown project by name.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { imageFileInfo } from "@cxrlab/core/data";
import { sampleXrays, testConfig } from "@cxrlab/core/testing";
import {
  createRun,
  ingestImage,
  migrate,
  openStore,
  recordPredictions,
  type Store,
  updateRunStatus,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, type TestAccount, testAccount } from "./api/accounts.ts";
import { parseJson, runCli } from "./helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-reviews-"));
const env = { DATABASE_URL: `file:${path.join(tmp, "store.db")}` };
const cli = (...args: string[]) => runCli(args, { env });

describe("cxrlab reviews", () => {
  let store: Store;
  let reader: TestAccount;
  let second: TestAccount;
  const images: number[] = [];

  beforeAll(async () => {
    store = await openStore(env.DATABASE_URL);
    await migrate(store);
    const run = await createRun(store, { config: testConfig(64), project: "ward" });
    await updateRunStatus(store, run.id, "succeeded");
    for (const [i, file] of sampleXrays(2).slice(0, 2).entries()) {
      const info = await imageFileInfo(file);
      const archived = await ingestImage(store, {
        patient: { patientId: `R-${i + 1}`, project: "ward" },
        study: { studyDate: new Date("2024-06-01T00:00:00Z") },
        image: { ...info, location: file, sourceFormat: "png", sourceLocation: file },
      });
      images.push(archived.imageId);
    }
    await recordPredictions(store, run.id, [
      { imageId: images[0]!, probabilities: { COVID: 0.8, Normal: 0.2 }, predictedLabel: "COVID" },
      { imageId: images[1]!, probabilities: { COVID: 0.3, Normal: 0.7 }, predictedLabel: "Normal" },
    ]);
    reader = await testAccount(store, "clinician", ["ward"]);
    second = await testAccount(store, "admin", ["ward"]);
    const [a, b] = [await callerAs(store, reader), await callerAs(store, second)];
    const { items } = await a.reviews.worklist({ projectId: run.projectId! });
    const byImage = new Map(items.map((i) => [i.imageId, i.predictionId]));
    await a.reviews.submit({
      predictionId: byImage.get(images[0]!)!,
      label: "COVID",
      comment: '=cmd, "quoted"',
    });
    await b.reviews.submit({ predictionId: byImage.get(images[0]!)!, label: "uncertain" });
    await a.reviews.submit({ predictionId: byImage.get(images[1]!)!, label: "COVID" });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("lists the project's reviews as JSON, with agreement and disagreement, and audits the view", async () => {
    const result = await cli("reviews", "list", "--project", "ward", "--json");
    expect(result.code, result.stderr).toBe(0);
    const reviews = parseJson<Record<string, unknown>[]>(result);
    expect(
      reviews.map((r) => [
        r.imageId,
        r.patientId,
        r.reviewerEmail,
        r.label,
        r.agreesWithModel,
        r.disagreement,
      ]),
    ).toEqual([
      [images[0], "R-1", reader.email, "COVID", true, true],
      [images[0], "R-1", second.email, "uncertain", false, true],
      [images[1], "R-2", reader.email, "COVID", false, false],
    ]);
    expect(await store.prisma.auditEvent.count({ where: { action: "patient.reviews.list" } })).toBe(1);
  });

  it("prints a line per review as text", async () => {
    const result = await cli("reviews", "list", "--project", "ward");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/R-2 .* COVID .* Normal 70\.0%\s+corrects/);
    expect(lines[3]).toBe("3 review(s)");
  });

  it("exports CSV by default, quoting and defusing cells", async () => {
    const result = await cli("reviews", "export", "--project", "ward");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "imageId,sha256,patientId,issuer,studyInstanceUid,studyDate,reviewerEmail,label,comment,runId,predictedLabel,confidence,agreesWithModel,disagreement,createdAt,updatedAt",
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,${reader.email},COVID,"'=cmd, ""quoted""",`);
    expect(lines[1]).toContain(",2024-06-01T00:00:00.000Z,");
    expect(await store.prisma.auditEvent.count({ where: { action: "patient.reviews.export" } })).toBe(1);
  });

  it("refuses an unknown project by name, and --json with --csv", async () => {
    const missing = await cli("reviews", "export", "--project", "nowhere");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no project "nowhere" in the store');
    const both = await cli("reviews", "list", "--project", "ward", "--json", "--csv");
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain("choose one of --json and --csv");
  });
});
