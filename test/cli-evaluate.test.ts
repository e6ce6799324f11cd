import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { selectBackend } from "@cxrlab/core/backend";
import { saveModel } from "@cxrlab/core/model";
import { sharedPaths } from "@cxrlab/core/paths";
import { CLASS_NAMES, imagenetDenseNet, testModelMeta } from "@cxrlab/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.ts";

const SIZE = 64;
const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-evaluate-"));
const env = { DATABASE_URL: `file:${path.join(tmp, "store.db")}`, CXRLAB_CACHE: path.join(tmp, "cache") };

interface Interval {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

describe("cxrlab evaluate's bootstrap intervals", () => {
  const model = path.join(tmp, "model");
  const dataset = path.join(tmp, "dataset");

  beforeAll(async () => {
    await selectBackend("wasm");
    const net = await imagenetDenseNet(SIZE);
    await saveModel(model, net, testModelMeta(SIZE));
    net.dispose();
    // A small copy of cxr-dev's layout: Test/<class>/ with 3 images each and a GROUPS.tsv at the root
    // that puts the images of a class in two groups.
    const rows = CLASS_NAMES.flatMap((c) => {
      const from = path.join(sharedPaths.devTest(), c);
      mkdirSync(path.join(dataset, "Test", c), { recursive: true });
      return readdirSync(from)
        .sort()
        .slice(0, 3)
        .map((f, i) => {
          copyFileSync(path.join(from, f), path.join(dataset, "Test", c, f));
          return `Test/${c}/${f}\t${c}-${Math.min(i, 1)}`;
        });
    });
    writeFileSync(path.join(dataset, "GROUPS.tsv"), `relative_path\tgroup\n${rows.join("\n")}\n`);
  }, 180_000);

  it("adds intervals, grouped by the dataset's GROUPS.tsv, beside the fields it always printed", async () => {
    const args = ["evaluate", "--model", model, "--data", path.join(dataset, "Test"), "--resamples", "300"];
    const result = await runCli([...args, "--seed", "4", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    const json = parseJson<{
      accuracy: number;
      report: object;
      macroAuc: number | null;
      intervals: {
        resamples: number;
        seed: number;
        grouping: object;
        accuracy: Interval;
        classes: { name: string; recall: Interval }[];
      };
    }>(result);
    expect(json.report).toBeDefined();
    expect(json.intervals).toMatchObject({
      resamples: 300,
      seed: 4,
      grouping: { by: "group", source: path.join(dataset, "GROUPS.tsv"), units: 6, ungrouped: 0 },
    });
    expect(json.intervals.accuracy.estimate).toBe(json.accuracy);
    expect(json.intervals.accuracy.lower!).toBeLessThanOrEqual(json.accuracy);
    expect(json.intervals.accuracy.upper!).toBeGreaterThanOrEqual(json.accuracy);
    expect(json.intervals.classes.map((k) => k.name)).toEqual(CLASS_NAMES);

    const text = await runCli(args, { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^accuracy \d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\] \(95% bootstrap CI, 300 resamples, seed 0, grouped by .*GROUPS\.tsv \(6 groups\)\)$/m,
    );
    expect(text.stdout).toMatch(/^ {2}Viral Pneumonia: recall /m);
  }, 300_000);
});
