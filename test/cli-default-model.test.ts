import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { selectBackend } from "@cxrlab/core/backend";
import { saveModel } from "@cxrlab/core/model";
import { imagenetDenseNet, sampleXrays, testConfig, testModelMeta } from "@cxrlab/core/testing";
import {
  createRun,
  ingestImage,
  migrate,
  openStore,
  promoteRun,
  type Store,
  updateRunStatus,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.ts";

const SIZE = 64;
const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-default-model-"));
const env = { DATABASE_URL: `file:${path.join(tmp, "store.db")}`, CXRLAB_CACHE: path.join(tmp, "cache") };
const cli = (...args: string[]) => runCli(args, { env });
const xray = sampleXrays(1)[0]!;

describe("cxrlab predict without --model uses the project's promoted model", () => {
  let store: Store;
  let older: number;
  let promoted: number;
  let betaOwn: number;

  /** A succeeded run of `project` whose run folder holds the model, as `cxrlab train` leaves it. */
  async function trainedRun(project: string, name: string, modelFrom: string): Promise<number> {
    const run = await createRun(store, { config: { ...testConfig(SIZE), name }, project });
    const runDir = path.join(tmp, "runs", name);
    cpSync(modelFrom, path.join(runDir, "model"), { recursive: true });
    writeFileSync(path.join(runDir, "inputs.json"), JSON.stringify({ runId: run.id }));
    const model = { location: path.join(runDir, "model"), bytes: 1 };
    await updateRunStatus(store, run.id, "succeeded", { model });
    return run.id;
  }

  beforeAll(async () => {
    await selectBackend("wasm");
    const saved = path.join(tmp, "saved-model");
    const model = await imagenetDenseNet(SIZE);
    await saveModel(saved, model, testModelMeta(SIZE));
    model.dispose();
    store = await openStore(env.DATABASE_URL);
    await migrate(store);
    older = await trainedRun("alpha", "older", saved);
    promoted = await trainedRun("alpha", "promoted", saved);
    // Beta has no default model, only a run of its own, older than the next one.
    betaOwn = await trainedRun("beta", "beta-own", saved);
    // The newest succeeded run, in another project: what predict --patient picked before promotions.
    await trainedRun("default", "newest", saved);
    const alpha = (await store.prisma.project.findUniqueOrThrow({ where: { name: "alpha" } })).id;
    await store.prisma.user.create({ data: { id: "ana", name: "Ana", email: "ana@lab.org" } });
    await promoteRun(store, alpha, older, "ana");
    await promoteRun(store, alpha, promoted, "ana");
    // PA in alpha, PB in beta, PG in gamma (a project without any model).
    for (const [patientId, project, digit] of [
      ["PA", "alpha", "a"],
      ["PB", "beta", "b"],
      ["PG", "gamma", "c"],
    ] as const) {
      await ingestImage(store, {
        patient: { patientId, issuer: "", project },
        study: { studyInstanceUid: `1.2.840.99.${digit.charCodeAt(0)}` },
        image: {
          sha256: digit.repeat(64),
          location: xray,
          format: "png",
          width: 256,
          height: 256,
          bytes: 1,
          sourceFormat: "png",
          sourceLocation: xray,
        },
      });
    }
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("predicts image files with --project's default model, says which and records them under its run", async () => {
    const result = await cli("predict", xray, "--project", "alpha", "--json");
    expect(result.code, result.stderr).toBe(0);
    const promotion = await store.prisma.modelPromotion.findFirstOrThrow({ where: { runId: promoted } });
    expect(result.stderr).toContain(
      `model: run ${promoted} (promoted), project "alpha"'s default model, promoted by Ana <ana@lab.org> on ${promotion.createdAt.toISOString()}`,
    );
    const json = parseJson<{ runId: number; predictions: { path: string; predictedClass: string }[] }>(
      result,
    );
    expect(json.runId).toBe(promoted);
    expect(json.predictions.map((p) => p.path)).toEqual([xray]);
    const stored = await store.prisma.prediction.findMany({ select: { runId: true, predictedLabel: true } });
    expect(stored).toEqual([{ runId: promoted, predictedLabel: json.predictions[0]!.predictedClass }]);
  });

  it("refuses image files when the project has no default model, naming it", async () => {
    const result = await cli("predict", xray, "--json");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`no --model given and project "default" has no default model`);
  });

  it("predicts a patient with the default model of the patient's project", async () => {
    const result = await cli("predict", "--patient", "PA", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`model: run ${promoted} (promoted), project "alpha"'s default model`);
    const json = parseJson<{ runId: number; chosen: string; predictions: unknown[] }>(result);
    expect(json).toMatchObject({ runId: promoted, predictions: [expect.anything()] });
    expect(json.chosen).toMatch(/^project "alpha"'s default model, promoted by Ana <ana@lab.org> on /);
    const other = await cli("predict", "--patient", "PA", "--project", "default", "--json");
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(`project "default" has no default model`);
  });

  it("predicts a patient of a project without a default model with that project's latest model, not a newer one elsewhere", async () => {
    const result = await cli("predict", "--patient", "PB", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `model: run ${betaOwn} (beta-own), latest succeeded run with a model in project "beta"`,
    );
    expect(parseJson<{ runId: number }>(result).runId).toBe(betaOwn);
  });

  it("refuses a patient whose project has no model at all, naming that project, and predicts nothing", async () => {
    const result = await cli("predict", "--patient", "PG", "--json");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `project "gamma" of patient PG has no default model and no succeeded run with a model: train or promote one there, or pass --model`,
    );
    const image = await store.prisma.image.findUniqueOrThrow({ where: { sha256: "c".repeat(64) } });
    expect(await store.prisma.prediction.count({ where: { imageId: image.id } })).toBe(0);
  });
});
