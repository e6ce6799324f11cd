import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sharedPaths } from "@cxrlab/core/paths";
import { CLASS_NAMES } from "@cxrlab/core/testing";
import { openStore } from "@cxrlab/db";
import { beforeAll, describe, expect, it } from "vitest";
import { FIRST_ADMIN } from "../apps/cli/src/first-admin.ts";
import { signIn } from "./api/sessions.ts";
import { DATABASE_URL, parseJson, runCli } from "./helpers.ts";

interface TrainJson {
  runId: number;
  runDir: string;
  status: string;
  backend: string;
  accuracy: number;
  loss: number;
  history: { epoch: number; loss: number; valLoss: number }[];
  counts: { train: number; validation: number; test: number };
  files: Record<string, string>;
  metrics: { confusionMatrix: number[][] };
}

const out = mkdtempSync(path.join(tmpdir(), "cxrlab-runs-"));

describe("the demo: a real run on the bundled sample with ImageNet weights", () => {
  let run: TrainJson;
  let stderr: string;
  beforeAll(async () => {
    const result = await runCli(["demo", "--no-serve", "--json", "--out", out]);
    run = parseJson<TrainJson>(result);
    stderr = result.stderr;
  }, 900_000);

  it("makes the dashboard's admin on a store without accounts and prints its one-time password once", async () => {
    const password = /one-time password: +(\S+)/.exec(stderr)?.[1];
    expect(password, stderr.slice(-2000)).toBeTruthy();
    expect(stderr.split(password!)).toHaveLength(2);
    expect(stderr).toContain(`email:              ${FIRST_ADMIN.email}`);
    const store = await openStore(DATABASE_URL);
    try {
      const admin = await store.prisma.user.findUniqueOrThrow({
        where: { email: FIRST_ADMIN.email },
        include: { memberships: { include: { project: true } } },
      });
      expect(admin.mustChangePassword).toBe(true);
      expect(admin.memberships.map((m) => [m.project.name, m.role])).toEqual([["default", "admin"]]);
      await expect(signIn(store, FIRST_ADMIN.email, password!)).resolves.toMatch(/session_token=/);
    } finally {
      await store.close();
    }
  });

  it("trains, keeps the best epoch and scores far above chance on held-out images", () => {
    expect(run.status).toBe("succeeded");
    expect(run.backend).toBe("wasm");
    expect(run.counts.test).toBe(30);
    expect(run.history.length).toBeGreaterThanOrEqual(3);
    // Chance is 1/3 (10 of 30); 75 training images fine-tune to about 70% here, COVID vs
    // adult Normal being the hard pair.
    expect(run.accuracy).toBeGreaterThanOrEqual(0.6);
    const matrix = run.metrics.confusionMatrix;
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(30);
  });

  it("writes the run folder: config, history, report, plots and the model", () => {
    for (const key of [
      "config",
      "history",
      "metrics",
      "report",
      "curvesPng",
      "curvesSvg",
      "confusionPng",
      "model",
    ]) {
      expect(run.files[key], key).toBeTruthy();
      expect(existsSync(run.files[key]!), run.files[key]).toBe(true);
    }
    const report = readFileSync(run.files.report!, "utf8");
    expect(report).toMatch(/precision\s+recall\s+f1-score\s+support/);
    expect(report).toContain("Viral Pneumonia");
  });

  it("evaluates the saved model on a separate real test set", async () => {
    const result = await runCli([
      "evaluate",
      "--model",
      run.runDir,
      "--data",
      sharedPaths.devTest(),
      "--json",
    ]);
    const evaluation = parseJson<{
      runId: number;
      engine: string;
      accuracy: number;
      loss: number;
      classNames: string[];
      confusionMatrix: number[][];
      report: { classes: { name: string; precision: number; recall: number; f1: number }[] };
    }>(result);
    expect(evaluation.classNames).toEqual(CLASS_NAMES);
    // The saved model runs on onnxruntime (exported from its tfjs weights), as CLI evaluation does by default.
    expect(evaluation.engine).toMatch(/^onnxruntime \S+ cpu, \d+ threads?$/);
    expect(evaluation.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(312);
    expect(evaluation.accuracy).toBeGreaterThan(0.6);
    expect(evaluation.report.classes.map((c) => c.name)).toEqual(evaluation.classNames);
    for (const c of evaluation.report.classes) expect(c.f1).toBeGreaterThan(0);
    // Recorded in the store under the run that trained the model.
    expect(evaluation.runId).toBe(run.runId);
    const shown = parseJson<{ evaluations: { split: string; metrics: { accuracy: number } }[] }>(
      await runCli(["runs", "show", String(run.runId), "--json"]),
    );
    const folder = shown.evaluations.find((e) => e.split === `folder:${sharedPaths.devTest()}`);
    expect(folder?.metrics.accuracy).toBe(evaluation.accuracy);
  }, 300_000);

  it("predicts single images", async () => {
    const covid = path.join(sharedPaths.sample(), "COVID");
    const { readdirSync } = await import("node:fs");
    const files = readdirSync(covid)
      .slice(0, 2)
      .map((f) => path.join(covid, f));
    const result = await runCli(["predict", ...files, "--model", run.runDir, "--json"]);
    const json = parseJson<{
      predictions: { path: string; predictedClass: string; probabilities: Record<string, number> }[];
    }>(result);
    expect(json.predictions.map((p) => p.path)).toEqual(files);
    for (const p of json.predictions) {
      const sum = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 4);
    }
  }, 120_000);
});

describe("the experiment store after the demo", () => {
  it("has the run with every epoch, its evaluation and one prediction per test image", async () => {
    const result = await runCli([
      "demo",
      "--no-serve",
      "--json",
      "--out",
      out,
      "--epochs",
      "2",
      "--image-size",
      "64",
      "--views",
      "1",
    ]);
    const run = parseJson<TrainJson>(result);
    const shown = parseJson<{
      id: number;
      status: string;
      epochs: { epoch: number; valLoss: number }[];
      evaluations: { split: string; metrics: { accuracy: number } }[];
      predictionCount: number;
      datasetFingerprint: string;
    }>(await runCli(["runs", "show", String(run.runId), "--json"]));
    expect(shown.id).toBe(run.runId);
    expect(shown.status).toBe("succeeded");
    expect(shown.epochs.map((e) => e.epoch)).toEqual(run.history.map((h) => h.epoch));
    expect(shown.epochs.map((e) => e.valLoss)).toEqual(run.history.map((h) => h.valLoss));
    expect(shown.evaluations).toHaveLength(1);
    expect(shown.evaluations[0]!.metrics.accuracy).toBe(run.accuracy);
    expect(shown.predictionCount).toBe(run.counts.test);
    expect(shown.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);

    const listed = parseJson<{ id: number }[]>(await runCli(["runs", "list", "--json"]));
    expect(listed.map((r) => r.id)).toContain(run.runId);

    expect((await runCli(["runs", "tag", String(run.runId), "baseline", "small"])).code).toBe(0);
    expect((await runCli(["runs", "note", String(run.runId), "tiny", "smoke", "run"])).code).toBe(0);
    const annotated = parseJson<{ tags: string[]; notes: { body: string }[] }>(
      await runCli(["runs", "show", String(run.runId), "--json"]),
    );
    expect(annotated.tags).toEqual(["baseline", "small"]);
    expect(annotated.notes.map((n) => n.body)).toEqual(["tiny smoke run"]);
    const tagged = parseJson<{ id: number }[]>(await runCli(["runs", "list", "--tag", "baseline", "--json"]));
    expect(tagged.map((r) => r.id)).toEqual([run.runId]);

    const refused = await runCli(["runs", "delete", String(run.runId)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--yes");
    expect((await runCli(["runs", "delete", String(run.runId), "--yes"])).code).toBe(0);
    const gone = await runCli(["runs", "show", String(run.runId), "--json"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`no run ${run.runId}`);

    // The CLI's changes are in the audit log, as the machine's user.
    const store = await openStore(DATABASE_URL);
    try {
      const events = await store.prisma.auditEvent.findMany({
        where: { targetType: "run", targetId: String(run.runId) },
        orderBy: { id: "asc" },
      });
      expect(events.map((e) => e.action)).toEqual(["run.create", "run.tag", "run.note", "run.delete"]);
      for (const event of events) expect(event.userAgent).toMatch(/^cxrlab-cli \(/);
    } finally {
      await store.close();
    }
  }, 600_000);
});
