/**
 * The worklist as a radiologist meets it: X-rays taken into the archive with `cxrlab ingest`,
 * predicted with `cxrlab predict --patient` by a fixture run, then reviewed from the keyboard in
 * Chromium (1..n a class, u uncertain, j/k next/previous). The reviews are checked in the store and
 * the audit log; a viewer gets no worklist.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_PROJECT, worklist } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleImagePaths } from "../api/fixture.ts";
import { parseJson, runCli } from "../helpers.ts";
import { fixture, privateDatabase, type TestAccount, testAccount, useDashboard } from "./harness.ts";

/** The first Grad-CAM of a run loads its model and runs it backwards: allow it time. */
const GRADCAM_TIMEOUT_MS = 150_000;
const PATIENTS = ["WL-001", "WL-002", "WL-003"];

async function cli(args: string[], env: Record<string, string>) {
  const result = await runCli([...args, "--json"], { env });
  if (result.code !== 0) {
    throw new Error(`cxrlab ${args.join(" ")} failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
  }
  return parseJson<Record<string, unknown>>(result);
}

describe("the worklist, reviewed from the keyboard", () => {
  const databaseUrl = privateDatabase();
  const dashboard = useDashboard({ databaseUrl });
  const run = fixture().runs[0]!;
  const work = mkdtempSync(path.join(tmpdir(), "cxrlab-worklist-"));
  let clinician: TestAccount;
  let projectId: number;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const env = { DATABASE_URL: databaseUrl, CXRLAB_IMAGE_STORE: path.join(work, "images") };
    const files = sampleImagePaths(1).map((s) => s.path);
    for (const [i, patientId] of PATIENTS.entries()) {
      await cli(["ingest", files[i]!, "--patient", patientId, "--study-date", `2024-0${i + 1}-15`], env);
      await cli(["predict", "--patient", patientId, "--model", String(run.id)], env);
    }
    const project = await dashboard.store.prisma.project.findUniqueOrThrow({
      where: { name: DEFAULT_PROJECT },
    });
    projectId = project.id;
    clinician = await testAccount(dashboard.store, "clinician", [DEFAULT_PROJECT]);
    // Six CLI commands, each loading the model: minutes on a busy machine.
  }, 600_000);

  it("lists the predictions most urgent first and records reviews typed on the keyboard", async () => {
    const expected = await worklist(dashboard.store, {
      projectId,
      runId: run.id,
      reviewerId: clinician.userId,
    });
    expect(expected.items.map((i) => i.patient.patientId).sort()).toEqual(PATIENTS);
    const classNames = expected.run!.classNames;
    const { page, consoleErrors, failedRequests, close } = await dashboard.openPage({
      width: 1280,
      account: clinician,
    });
    try {
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      await page.getByTestId("main-nav").getByRole("link", { name: "Worklist" }).click();
      await page.waitForURL(/\/worklist$/);
      await page.goto(`${dashboard.app.baseUrl}/worklist?run=${run.id}`);
      const rows = page.getByTestId("worklist-row");
      await expect.poll(() => rows.count()).toBe(PATIENTS.length);
      expect(
        await rows.evaluateAll((r) => r.map((e) => Number(e.getAttribute("data-prediction-id")))),
      ).toEqual(expected.items.map((i) => i.predictionId));
      expect(await page.getByTestId("worklist-total").textContent()).toBe(String(PATIENTS.length));

      // The first image is large with its heatmap, computed by the run's model.
      const stage = page.getByTestId("review-stage");
      expect(await stage.getAttribute("data-prediction-id")).toBe(String(expected.items[0]!.predictionId));
      await expect
        .poll(() => page.getByTestId("review-heatmap").getAttribute("data-state"), {
          timeout: GRADCAM_TIMEOUT_MS,
        })
        .toBe("loaded");

      // 1: the run's first class for the first image, and on to the second; u: uncertain for it.
      await page.keyboard.press("1");
      await expect.poll(() => rows.nth(0).getAttribute("data-reviewed")).toBe(classNames[0]);
      await expect
        .poll(() => stage.getAttribute("data-prediction-id"))
        .toBe(String(expected.items[1]!.predictionId));
      await page.keyboard.press("u");
      await expect.poll(() => rows.nth(1).getAttribute("data-reviewed")).toBe("uncertain");
      // k back to the second, 2 corrects it to the second class; j twice stays on the last.
      await page.keyboard.press("k");
      await expect
        .poll(() => stage.getAttribute("data-prediction-id"))
        .toBe(String(expected.items[1]!.predictionId));
      await page.keyboard.press("2");
      await expect.poll(() => rows.nth(1).getAttribute("data-reviewed")).toBe(classNames[1]);
      await page.keyboard.press("j");
      await page.keyboard.press("j");
      await expect
        .poll(() => stage.getAttribute("data-prediction-id"))
        .toBe(String(expected.items[2]!.predictionId));
      expect(await rows.nth(2).getAttribute("data-reviewed")).toBe("");

      // The store holds one review per image, the second one updated; the audit log both versions.
      const reviews = await dashboard.store.prisma.review.findMany({
        where: { reviewerId: clinician.userId },
        orderBy: { id: "asc" },
      });
      expect(reviews.map((r) => [r.imageId, r.label, r.runId])).toEqual([
        [expected.items[0]!.imageId, classNames[0], run.id],
        [expected.items[1]!.imageId, classNames[1], run.id],
      ]);
      const events = await dashboard.store.prisma.auditEvent.findMany({
        where: { actorId: clinician.userId, action: { startsWith: "review." } },
        orderBy: { id: "asc" },
      });
      expect(events.map((e) => [e.action, e.targetId])).toEqual([
        ["review.create", String(expected.items[0]!.imageId)],
        ["review.create", String(expected.items[1]!.imageId)],
        ["review.update", String(expected.items[1]!.imageId)],
      ]);

      // Reloaded, the worklist holds only what I have not reviewed; "reviewed" shows my labels.
      await page.reload();
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().getAttribute("data-prediction-id")).toBe(
        String(expected.items[2]!.predictionId),
      );
      await page.goto(`${dashboard.app.baseUrl}/worklist?run=${run.id}&status=reviewed`);
      await expect.poll(() => rows.count()).toBe(2);
      expect(await page.getByTestId("worklist-mine").allTextContents()).toEqual([
        `you: ${classNames[0]}`,
        `you: ${classNames[1]}`,
      ]);
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  it("has no worklist for a viewer: no link, and the page says why", async () => {
    const viewer = await testAccount(dashboard.store, "viewer", [DEFAULT_PROJECT]);
    const { page, close } = await dashboard.openPage({ width: 390, account: viewer });
    try {
      await page.goto(`${dashboard.app.baseUrl}/worklist`);
      expect(await page.getByTestId("worklist-none").textContent()).toContain("clinician or admin");
      expect(await page.getByTestId("main-nav").getByRole("link", { name: "Worklist" }).count()).toBe(0);
      expect(await page.getByTestId("worklist-row").count()).toBe(0);
    } finally {
      await close();
    }
  });
});
