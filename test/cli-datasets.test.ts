/**
 * `cxrlab datasets` as a user meets it: twelve sample X-rays ingested as patients with the real CLI, a
 * run's predictions reviewed by two readers through the API (agreeing, disagreeing, uncertain),
 * then create → identical create → show → export (the folder checked file by file) → a labelled
 * folder included → `train --dataset` on the quick preset (the run records the version, split by
 * patient) → `queue add --dataset` → a changed archive file refused by name.
 */
import { createHash } from "node:crypto";
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { testConfig } from "@cxrlab/core/testing";
import { createRun, migrate, openStore, recordPredictions, type Store, updateRunStatus } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, testAccount } from "./api/accounts.ts";
import { sampleImagePaths } from "./api/fixture.ts";
import { parseJson, runCli } from "./helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-datasets-"));
const env = {
  DATABASE_URL: `file:${path.join(tmp, "store.db")}`,
  CXRLAB_IMAGE_STORE: path.join(tmp, "images"),
  CXRLAB_DATASET_STORE: path.join(tmp, "datasets"),
};
const cli = (...args: string[]) => runCli(args, { env });
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const TINY = ["--preset", "quick", "--image-size", "64", "--views", "1", "--epochs", "1"];

interface Version {
  id: number;
  ref: string;
  created: boolean;
  images: number;
  fingerprint: string;
  classes: Record<string, number>;
  sources: Record<string, number>;
  excluded: Record<string, number>;
}
interface Entry {
  sha256: string;
  label: string;
  patient: string | null;
  source: string;
  location: string;
}

describe("cxrlab datasets", () => {
  let store: Store;
  // Four images per class, image i of patient P-(i+1): P-1..P-4 COVID, P-5..P-8 Normal, P-9..P-12 Viral Pneumonia.
  const samples = sampleImagePaths(4);
  const imageIds: number[] = [];

  beforeAll(async () => {
    const sidecar = path.join(tmp, "patients.csv");
    writeFileSync(sidecar, `file,patient_id\n${samples.map((s, i) => `${s.path},P-${i + 1}`).join("\n")}\n`);
    const files = samples.map((s) => s.path);
    const ingested = await cli("ingest", ...files, "--sidecar", sidecar, "--project", "ward", "--json");
    expect(ingested.code, ingested.stderr).toBe(0);
    const report = parseJson<{ new: { file: string; imageId: number }[] }>(ingested);
    for (const file of files) imageIds.push(report.new.find((n) => n.file === file)!.imageId);
    store = await openStore(env.DATABASE_URL);
    await migrate(store);
    const run = await createRun(store, { config: testConfig(64), project: "ward" });
    await updateRunStatus(store, run.id, "succeeded");
    await recordPredictions(
      store,
      run.id,
      imageIds.map((imageId) => ({
        imageId,
        probabilities: { COVID: 0.5, Normal: 0.3, "Viral Pneumonia": 0.2 },
        predictedLabel: "COVID",
      })),
    );
    const first = await callerAs(store, await testAccount(store, "clinician", ["ward"]));
    const second = await callerAs(store, await testAccount(store, "admin", ["ward"]));
    const { items } = await first.reviews.worklist({ projectId: run.projectId!, pageSize: 100 });
    const prediction = new Map(items.map((i) => [i.imageId, i.predictionId]));
    for (const [i, imageId] of imageIds.entries())
      await first.reviews.submit({ predictionId: prediction.get(imageId)!, label: samples[i]!.label });
    // The second reader agrees on P-1..P-4, calls P-5 (Normal) COVID and P-6 uncertain.
    const secondLabels = ["COVID", "COVID", "COVID", "COVID", "COVID", "uncertain"];
    for (const [i, label] of secondLabels.entries())
      await second.reviews.submit({ predictionId: prediction.get(imageIds[i]!)!, label });
  }, 300_000);
  afterAll(async () => {
    await store?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("makes version 1 from agreeing reviews, says what it left out and why, and audits it", async () => {
    const result = await cli(
      "datasets",
      "create",
      "ward-reviews",
      "--project",
      "ward",
      "--from-reviews",
      "--json",
    );
    expect(result.code, result.stderr).toBe(0);
    const made = parseJson<Version>(result);
    expect(made).toMatchObject({
      ref: "ward-reviews@1",
      created: true,
      images: 10,
      classes: { COVID: 4, Normal: 2, "Viral Pneumonia": 4 },
      sources: { review: 10 },
      excluded: { "reviewers disagree": 1, uncertain: 1 },
    });
    expect(made.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const audited = await store.prisma.auditEvent.findMany({ where: { action: "dataset.create" } });
    expect(audited.map((a) => a.targetId)).toEqual([String(made.id)]);
  });

  it("says a second create with the same content is identical instead of making version 2", async () => {
    const again = await cli("datasets", "create", "ward-reviews", "--project", "ward", "--from-reviews");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("identical to ward-reviews@1 (same fingerprint): no new version made");
    expect(again.stdout).toContain("left out: 2 image(s): 1 reviewers disagree, 1 uncertain");
    expect(await store.prisma.datasetVersion.count()).toBe(1);
    expect(await store.prisma.auditEvent.count({ where: { action: "dataset.create" } })).toBe(1);
  });

  it("takes only images with enough reviews under --min-reviewers", async () => {
    const made = parseJson<Version>(
      await cli(
        "datasets",
        "create",
        "two-readers",
        "--project",
        "ward",
        "--from-reviews",
        "--min-reviewers",
        "2",
        "--json",
      ),
    );
    expect(made).toMatchObject({
      ref: "two-readers@1",
      images: 4,
      classes: { COVID: 4 },
      excluded: { "too few reviews": 6, "reviewers disagree": 1, uncertain: 1 },
    });
  });

  it("shows a version with its manifest: SHA-256, label, patient and source of each image", async () => {
    const shown = parseJson<Version & { entries: Entry[] }>(
      await cli("datasets", "show", "ward-reviews@1", "--project", "ward", "--json"),
    );
    expect(shown.entries).toHaveLength(10);
    const first = shown.entries.find((e) => e.sha256 === sha256(samples[0]!.path));
    expect(first).toMatchObject({ label: "COVID", patient: "P-1", source: "review" });
    const text = await cli("datasets", "show", "ward-reviews@1", "--project", "ward");
    expect(text.stdout).toContain("classes: COVID 4, Normal 2, Viral Pneumonia 4");
    expect(text.stdout).toContain(`fingerprint: ${shown.fingerprint}`);
    const list = parseJson<Version[]>(await cli("datasets", "list", "--json"));
    expect(list.map((v) => v.ref)).toEqual(["two-readers@1", "ward-reviews@1"]);
    const missing = await cli("datasets", "show", "ward-reviews@7", "--project", "ward");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no dataset ward-reviews@7 in project "ward"');
  });

  it("exports the Keras layout: class folders, files named by SHA-256, a manifest; refuses a non-empty folder", async () => {
    const out = path.join(tmp, "export");
    const result = await cli("datasets", "export", "ward-reviews@1", "--project", "ward", "--out", out);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "COVID",
      "Normal",
      "Viral Pneumonia",
      "manifest.csv",
      "patients.csv",
    ]);
    for (const label of ["COVID", "Normal", "Viral Pneumonia"])
      for (const file of readdirSync(path.join(out, label)))
        expect(`${sha256(path.join(out, label, file))}.png`).toBe(file);
    expect(readdirSync(path.join(out, "Normal"))).toHaveLength(2);
    const manifest = readFileSync(path.join(out, "manifest.csv"), "utf8").trim().split("\n");
    expect(manifest[0]).toBe("file,sha256,label,patient,source");
    expect(manifest).toHaveLength(11);
    const refused = await cli("datasets", "export", "ward-reviews@1", "--project", "ward", "--out", out);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${out} is not empty`);
  });

  it("includes a labelled folder with its patients.csv as the next version", async () => {
    const extra = path.join(tmp, "extra");
    const added = sampleImagePaths(6)
      .filter((s) => s.label !== "Normal")
      .slice(4, 6);
    for (const s of added) {
      mkdirSync(path.join(extra, s.label), { recursive: true });
      copyFileSync(s.path, path.join(extra, s.label, path.basename(s.path)));
    }
    const rel = path.join(added[0]!.label, path.basename(added[0]!.path));
    writeFileSync(path.join(extra, "patients.csv"), `file,patient_id\n${rel},F-1\n`);
    const made = parseJson<Version & { entries?: Entry[] }>(
      await cli(
        "datasets",
        "create",
        "ward-reviews",
        "--project",
        "ward",
        "--from-reviews",
        "--include",
        extra,
        "--json",
      ),
    );
    expect(made).toMatchObject({
      ref: "ward-reviews@2",
      created: true,
      images: 12,
      sources: { folder: 2, review: 10 },
    });
    const shown = parseJson<{ entries: Entry[] }>(
      await cli("datasets", "show", "ward-reviews@2", "--project", "ward", "--json"),
    );
    const patients = shown.entries.filter((e) => e.source === "folder").map((e) => e.patient);
    expect(patients.sort()).toEqual(["F-1", null]);
  });

  it("trains on a version with patient-grouped splits and records the version on the run", async () => {
    const result = await cli(
      "train",
      ...TINY,
      "--dataset",
      "ward-reviews@1",
      "--project",
      "ward",
      "--out",
      path.join(tmp, "runs"),
      "--json",
    );
    expect(result.code, result.stderr).toBe(0);
    const run = parseJson<{
      runId: number;
      splitGrouping: { by: string; groups: number };
      counts: { train: number; validation: number; test: number };
    }>(result);
    expect(run.splitGrouping).toMatchObject({ by: "patient", groups: 10 });
    expect(run.counts.train + run.counts.validation + run.counts.test).toBe(10);
    const shown = parseJson<{ datasetVersion: { name: string; version: number } }>(
      await cli("runs", "show", String(run.runId), "--json"),
    );
    expect(shown.datasetVersion).toMatchObject({ name: "ward-reviews", version: 1 });
    const text = await cli("runs", "show", String(run.runId));
    expect(text.stdout).toContain("dataset: ward-reviews@1 (fingerprint ");
  }, 600_000);

  it("queues a run on a version with queue add --dataset, recording the version", async () => {
    const queued = parseJson<{ runId: number }>(
      await cli("queue", "add", ...TINY, "--dataset", "two-readers@1", "--project", "ward", "--json"),
    );
    const run = await store.prisma.run.findUniqueOrThrow({
      where: { id: queued.runId },
      select: { datasetVersion: { select: { name: true, version: true } }, config: true },
    });
    expect(run.datasetVersion).toEqual({ name: "two-readers", version: 1 });
    expect((run.config as { split: { by: string } }).split.by).toBe("patient");
    const wrong = await cli("queue", "add", ...TINY, "--dataset", "two-readers@1");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('--dataset two-readers@1: no such dataset version in project "default"');
  });

  it("refuses to train when a file changed since the version was made, naming it", async () => {
    const entry = parseJson<{ entries: Entry[] }>(
      await cli("datasets", "show", "two-readers@1", "--project", "ward", "--json"),
    ).entries[0]!;
    appendFileSync(entry.location, "x");
    const result = await cli(
      "train",
      ...TINY,
      "--dataset",
      "two-readers@1",
      "--project",
      "ward",
      "--out",
      path.join(tmp, "runs"),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `dataset two-readers@1: ${entry.location} has changed since the dataset was made`,
    );
    const exported = await cli(
      "datasets",
      "export",
      "two-readers@1",
      "--project",
      "ward",
      "--out",
      path.join(tmp, "export-2"),
    );
    expect(exported.code).not.toBe(0);
    expect(exported.stderr).toContain(entry.location);
  });
});
