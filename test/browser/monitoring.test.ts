/**
 * The monitoring page as a researcher meets it: X-rays taken into the archive with `cxrlab ingest`,
 * predicted with `cxrlab predict --patient` by a fixture run promoted to the default model, read by
 * two readers; /monitoring in Chromium shows the agreement chart and the figures the store gives,
 * names no patient, and is offered to nobody who may not see it (a viewer).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_PROJECT, promoteRun, runMonitoring, submitReview } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImagePaths } from "../api/fixture.ts";
import { parseJson, runCli } from "../helpers.ts";
import { fixture, privateDatabase, type TestAccount, testAccount, useDashboard } from "./harness.ts";

const PATIENTS = ["MON-PATIENT-001", "MON-PATIENT-002", "MON-PATIENT-003"];

async function cli(args: string[], env: Record<string, string>) {
  const result = await runCli([...args, "--json"], { env });
  if (result.code !== 0) {
    throw new Error(`cxrlab ${args.join(" ")} failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
  }
  return parseJson<Record<string, unknown>>(result);
}

describe("the monitoring page", () => {
  const databaseUrl = privateDatabase();
  const dashboard = useDashboard({ databaseUrl });
  const run = fixture().runs[0]!;
  const work = mkdtempSync(path.join(tmpdir(), "cxrlab-monitoring-"));
  let researcher: TestAccount;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const env = { DATABASE_URL: databaseUrl, CXRLAB_IMAGE_STORE: path.join(work, "images") };
    const files = sampleImagePaths(1).map((s) => s.path);
    for (const [i, patientId] of PATIENTS.entries()) {
      await cli(["ingest", files[i]!, "--patient", patientId, "--study-date", `2024-0${i + 1}-15`], env);
      await cli(["predict", "--patient", patientId, "--model", String(run.id)], env);
    }
    const { store } = dashboard;
    const project = await store.prisma.project.findUniqueOrThrow({ where: { name: DEFAULT_PROJECT } });
    await promoteRun(store, project.id, run.id, null);
    const first = await testAccount(store, "clinician", [DEFAULT_PROJECT]);
    const second = await testAccount(store, "admin", [DEFAULT_PROJECT]);
    researcher = await testAccount(store, "researcher", [DEFAULT_PROJECT]);
    const predictions = await store.prisma.prediction.findMany({
      where: { runId: run.id, image: { study: { patient: { patientId: { in: PATIENTS } } } } },
      orderBy: { imageId: "asc" },
    });
    expect(predictions).toHaveLength(PATIENTS.length);
    const other = (label: string) => (label === "Normal" ? "COVID" : "Normal");
    const [agreed, corrected, tied] = predictions;
    // One reader agrees with the model, one corrects it, two readers tie: 1 of 2 counted images agree.
    await submitReview(store, {
      predictionId: agreed!.id,
      reviewerId: first.userId,
      label: agreed!.predictedLabel,
    });
    await submitReview(store, {
      predictionId: corrected!.id,
      reviewerId: first.userId,
      label: other(corrected!.predictedLabel),
    });
    await submitReview(store, {
      predictionId: tied!.id,
      reviewerId: first.userId,
      label: tied!.predictedLabel,
    });
    await submitReview(store, {
      predictionId: tied!.id,
      reviewerId: second.userId,
      label: other(tied!.predictedLabel),
    });
  }, 600_000);

  it("shows the default model's agreement chart and figures, and no patient", async () => {
    const expected = (await runMonitoring(dashboard.store, run.id, { window: { days: 3650 } }))!;
    expect(expected.overall.reviewed).toBe(2);
    expect(expected.overall.agreement!.accuracy.estimate).toBe(0.5);
    const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({
      width: 1280,
      account: researcher,
    });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      await page.getByTestId("main-nav").getByRole("link", { name: "Monitoring" }).click();
      await page.waitForURL(/\/monitoring$/);
      expect(await page.getByTestId("monitoring-model").textContent()).toContain(`run ${run.id}`);
      await page.goto(`${dashboard.app.baseUrl}/monitoring?window=3650d`);
      const chart = page.getByTestId("agreement-trend");
      await chart.waitFor();
      expect(await chart.locator("svg circle[data-window]").count()).toBe(1);
      expect(await chart.locator("svg circle[data-window]").getAttribute("data-accuracy")).toBe("0.5");
      const interval = expected.overall.agreement!.accuracy;
      const pct = (v: number | null) => `${((v ?? Number.NaN) * 100).toFixed(1)}%`;
      expect(await page.getByTestId("monitoring-accuracy").textContent()).toBe(
        `${pct(interval.estimate)} (${pct(interval.lower)}–${pct(interval.upper)})`,
      );
      expect(await page.getByTestId("monitoring-reviewed").textContent()).toBe("2 of 3");
      expect(await page.getByTestId("monitoring-ties").textContent()).toBe("1");
      expect(await page.getByTestId("disagreement").count()).toBe(1);
      expect(await page.getByTestId("drift-check").count()).toBe(4);
      // The sample's own X-rays do not drift from the sample they were trained on.
      expect(await page.getByTestId("monitoring-drift").textContent()).toBe("none");
      const html = await page.content();
      for (const patientId of PATIENTS) expect(html).not.toContain(patientId);

      // The run page carries the same chart.
      await page.goto(`${dashboard.app.baseUrl}/runs/${run.id}`);
      await page.getByTestId("run-monitoring").getByTestId("agreement-trend").waitFor();
      expect(await page.getByTestId("run-monitoring").getByTestId("monitoring-reviewed").textContent()).toBe(
        "2 of 3",
      );
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  it("is not offered to a viewer, whose run page has no monitoring either", async () => {
    const viewer = await testAccount(dashboard.store, "viewer", [DEFAULT_PROJECT]);
    const { page, close } = await dashboard.openPage({ width: 390, account: viewer });
    try {
      await page.goto(`${dashboard.app.baseUrl}/monitoring`);
      expect(await page.getByTestId("monitoring-none").textContent()).toContain(
        "researcher, clinician or admin",
      );
      expect(await page.getByTestId("main-nav").getByRole("link", { name: "Monitoring" }).count()).toBe(0);
      expect(await page.getByTestId("agreement-trend").count()).toBe(0);
      await page.goto(`${dashboard.app.baseUrl}/runs/${run.id}`);
      await page.getByTestId("run-name").waitFor();
      expect(await page.getByTestId("run-monitoring").count()).toBe(0);
      const html = await page.content();
      for (const patientId of PATIENTS) expect(html).not.toContain(patientId);
    } finally {
      await close();
    }
  });
});
