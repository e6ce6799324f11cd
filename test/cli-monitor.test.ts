/**
 * `cxrlab monitor` on a store where a promoted run predicted archive images that readers reviewed:
 * the real CLI prints the agreement per window and overall as text and JSON, and refuses an unknown
 * project and a bad window by name.
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
  promoteRun,
  recordPredictions,
  type Store,
  submitReview,
  updateRunStatus,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testAccount } from "./api/accounts.ts";
import { parseJson, runCli } from "./helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-monitor-"));
const env = { DATABASE_URL: `file:${path.join(tmp, "store.db")}` };
const cli = (...args: string[]) => runCli(args, { env });

describe("cxrlab monitor", () => {
  let store: Store;
  let runId: number;

  beforeAll(async () => {
    store = await openStore(env.DATABASE_URL);
    await migrate(store);
    const run = await createRun(store, { config: testConfig(64), project: "ward" });
    await updateRunStatus(store, run.id, "succeeded", {
      model: { location: path.join(tmp, "run", "model"), bytes: 1 },
    });
    runId = run.id;
    await promoteRun(store, run.projectId!, run.id, null);
    const reader = await testAccount(store, "clinician", ["ward"]);
    const files = sampleXrays(2).slice(0, 3);
    const labels = [
      ["COVID", "COVID"],
      ["Normal", "COVID"],
      ["Normal", "uncertain"],
    ] as const;
    for (const [i, file] of files.entries()) {
      const archived = await ingestImage(store, {
        patient: { patientId: `MON-${i + 1}`, project: "ward" },
        study: { studyDate: new Date("2024-06-01T00:00:00Z") },
        image: { ...(await imageFileInfo(file)), location: file, sourceFormat: "png", sourceLocation: file },
      });
      const [predicted, read] = labels[i]!;
      await recordPredictions(store, run.id, [
        {
          imageId: archived.imageId,
          probabilities: { COVID: 0.5, Normal: 0.5, [predicted]: 0.9 },
          predictedLabel: predicted,
        },
      ]);
      const prediction = await store.prisma.prediction.findFirstOrThrow({
        where: { runId, imageId: archived.imageId },
      });
      await submitReview(store, { predictionId: prediction.id, reviewerId: reader.userId, label: read });
    }
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("prints the default model's agreement as text and JSON", async () => {
    const text = await cli("monitor", "--project", "ward", "--window", "month");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`ward: run ${runId}`);
    expect(text.stdout).toContain("(default model), per month");
    expect(text.stdout).toMatch(
      /all {10}50\.0% \(95% CI [\d.]+%–[\d.]+%\) of 2 counted \(3 images, 1 uncertain, 0 ties\)/,
    );
    expect(text.stdout).toContain("drift: the run folder names no training folder (inputs.json)");
    const json = parseJson<{
      monitoring: { overall: { reviewed: number; agreement: { accuracy: { estimate: number } } } };
    }>(await cli("monitor", "--project", "ward", "--json"));
    expect(json.monitoring.overall.reviewed).toBe(2);
    expect(json.monitoring.overall.agreement.accuracy.estimate).toBe(0.5);
  }, 300_000);

  it("refuses an unknown project and a bad window by name", async () => {
    const missing = await cli("monitor", "--project", "nowhere");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no project "nowhere"');
    const bad = await cli("monitor", "--project", "ward", "--window", "often");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('window "often": expected week, month or a number of days');
  }, 300_000);
});
