import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mcnemarExact } from "@cxrlab/core/metrics";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRun, migrate, openStore, recordPredictions, type Store, upsertImage } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLASSES, type SeededStore, seedStore } from "./api/fixture.ts";
import { parseJson, runCli } from "./helpers.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-compare-"));
const env = { DATABASE_URL: `file:${path.join(tmp, "store.db")}` };
const cli = (...args: string[]) => runCli(args, { env });

interface CompareJson {
  runA: { id: number; name: string; labelled: number };
  runB: { id: number; name: string; labelled: number };
  n: number;
  accuracyA: number;
  accuracyB: number;
  difference: { estimate: number; lower: number; upper: number };
  b: number;
  c: number;
  mcnemarP: number;
  resamples: number;
  seed: number;
  grouping: { by: string; units: number; source?: string };
}

/** A run of labelled predictions on images that exist only in the store, at `locations`. */
async function runOn(store: Store, name: string, locations: string[], right: (i: number) => boolean) {
  const run = await createRun(store, { config: resolveConfig("quick", { name }) });
  const rows = [];
  for (const [i, location] of locations.entries()) {
    const label = CLASSES[i % 3]!;
    const sha256 = createHash("sha256").update(location).digest("hex");
    const image = await upsertImage(store, {
      sha256,
      location,
      format: "png",
      width: 1,
      height: 1,
      bytes: 1,
      label,
    });
    const predicted = right(i) ? label : CLASSES[(i + 1) % 3]!;
    rows.push({
      imageId: image.id,
      predictedLabel: predicted,
      probabilities: Object.fromEntries(CLASSES.map((c) => [c, c === predicted ? 0.8 : 0.1])),
    });
  }
  await recordPredictions(store, run.id, rows);
  return run.id;
}

describe("cxrlab compare", () => {
  let store: Store;
  let seeded: SeededStore;
  let grouped: [number, number];
  let lone: number;
  const dataset = path.join(tmp, "dataset");

  beforeAll(async () => {
    store = await openStore(env.DATABASE_URL);
    await migrate(store);
    seeded = await seedStore(store);
    // 40 images in a dataset whose GROUPS.tsv pairs them up (Test/<class>/i<k>.png).
    const relative = Array.from({ length: 40 }, (_, i) => `Test/${CLASSES[i % 3]}/i${i}.png`);
    mkdirSync(dataset);
    writeFileSync(
      path.join(dataset, "GROUPS.tsv"),
      `relative_path\tgroup\n${relative.map((r, i) => `${r}\tg${Math.floor(i / 2)}`).join("\n")}\n`,
    );
    const locations = relative.map((r) => path.join(dataset, r));
    grouped = [
      await runOn(store, "grouped-a", locations, (i) => i % 5 !== 0),
      await runOn(store, "grouped-b", locations, (i) => i % 4 !== 0),
    ];
    lone = await runOn(store, "elsewhere", [path.join(tmp, "other", "COVID", "x.png")], () => true);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it("compares two runs on their common test images: accuracies, paired interval, McNemar", async () => {
    const [a, b] = [seeded.byName("recommended-a"), seeded.byName("recommended-b")];
    const result = await cli(
      "compare",
      String(a.id),
      String(b.id),
      "--json",
      "--resamples",
      "500",
      "--seed",
      "3",
    );
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<CompareJson>(result);
    const right = (p: { predictedLabel: string; trueLabel: string }) => p.predictedLabel === p.trueLabel;
    const onlyA = a.predictions.filter((p, i) => right(p) && !right(b.predictions[i]!)).length;
    const onlyB = a.predictions.filter((p, i) => !right(p) && right(b.predictions[i]!)).length;
    expect(json.runA).toEqual({ id: a.id, name: "recommended-a", labelled: 120 });
    expect(json.runB).toEqual({ id: b.id, name: "recommended-b", labelled: 120 });
    expect(json.n).toBe(120);
    expect(json.accuracyA).toBe(a.testAccuracy);
    expect(json.accuracyB).toBe(b.testAccuracy);
    expect([json.b, json.c]).toEqual([onlyA, onlyB]);
    expect(json.difference.estimate).toBeCloseTo((onlyA - onlyB) / 120, 12);
    expect(json.difference.lower).toBeLessThan(json.difference.estimate);
    expect(json.difference.upper).toBeGreaterThan(json.difference.estimate);
    expect(json.mcnemarP).toBe(mcnemarExact(onlyA, onlyB));
    expect(json).toMatchObject({ resamples: 500, seed: 3, grouping: { by: "image", units: 120 } });

    const text = await cli("compare", String(a.id), String(b.id), "--resamples", "200");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `run ${a.id} (recommended-a) vs run ${b.id} (recommended-b): 120 test images`,
    );
    expect(text.stdout).toMatch(
      /difference \(run \d+ - run \d+\) -?\d\.\d{4} \[-?\d\.\d{4}, -?\d\.\d{4}\] \(95% bootstrap CI, 200 resamples, seed 0, resampled per image \(120 images\)\)/,
    );
    expect(text.stdout).toContain(`b = ${onlyA} only run ${a.id} right, c = ${onlyB} only run ${b.id} right`);
    expect(text.stdout).toMatch(/exact McNemar p = \d/);
  });

  it("resamples by the GROUPS.tsv of the images' dataset", async () => {
    const json = parseJson<CompareJson>(
      await cli("compare", String(grouped[0]), String(grouped[1]), "--json"),
    );
    expect(json.n).toBe(40);
    expect(json.grouping).toEqual({
      by: "group",
      source: path.join(dataset, "GROUPS.tsv"),
      units: 20,
      ungrouped: 0,
    });
    // A is wrong at multiples of 5, B at multiples of 4: only A right at 4, 8, 12, 16, 24, 28, 32, 36;
    // only B right at 5, 10, 15, 25, 30, 35.
    expect([json.b, json.c]).toEqual([8, 6]);
  });

  it("says which run is unknown, has no test predictions, or shares no image", async () => {
    const known = seeded.byName("recommended-a").id;
    const unknown = await cli("compare", String(known), "9999");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no run 9999 in the store");
    const failed = seeded.byName("quick-smoke").id;
    const none = await cli("compare", String(failed), String(known));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`run ${failed} (quick-smoke) has no test predictions`);
    const apart = await cli("compare", String(known), String(lone), "--json");
    expect(apart.code).toBe(1);
    expect(apart.stderr).toContain(`runs ${known} and ${lone} have no test image in common`);
    expect(apart.stdout).toBe("");
  });
});
