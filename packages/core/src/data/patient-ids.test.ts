import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { resolveConfig } from "../presets.ts";
import { prepareDataset } from "../train/dataset.ts";
import { listImageDirectory } from "./directory.ts";
import { readPatientIds } from "./patient-ids.ts";

const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-patients-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("split by patient on the real sample", () => {
  it("keeps each patient in one of train / validation / test, the same way for the same seed", async () => {
    const { records } = await listImageDirectory(sharedPaths.sample());
    // 120 images, 40 per class, 4 per patient within a class: 10 patients per class.
    const seen = new Map<string, number>();
    const patientOf = (className: string) => {
      const n = seen.get(className) ?? 0;
      seen.set(className, n + 1);
      return `${className}-${Math.floor(n / 4)}`;
    };
    const csv = path.join(tmp, "patients.csv");
    const lines = records.map((r) => `"${r.path}",${patientOf(r.className)}`);
    writeFileSync(csv, `file,patient_id\n${lines.join("\n")}\n`);
    const patients = await readPatientIds(csv);
    expect(patients.groups.size).toBe(120);

    const config = resolveConfig("recommended", { split: { by: "patient" } });
    expect(config.split).toMatchObject({ by: "patient", testSplit: 0.25, validationSplit: 0.1 });
    const split = () => prepareDataset(config, { dataDir: sharedPaths.sample(), patients });
    const splits = await split();
    const sets = [splits.train, splits.validation, splits.test].map(
      (part) => new Set(part.map((r) => patients.groups.get(r.path))),
    );
    for (const [i, a] of sets.entries()) {
      for (const b of sets.slice(i + 1)) expect([...a].filter((p) => b.has(p))).toEqual([]);
    }
    expect(splits.train.length + splits.validation.length + splits.test.length).toBe(120);
    // Test: round(0.25 * 40) = 10 images per class -> 2 patients of 4. Validation: round(0.1 * 32)
    // = 3 -> no patient of 4 fits, but each class gets one.
    expect(splits.test).toHaveLength(3 * 8);
    expect(splits.validation).toHaveLength(3 * 4);
    expect((await split()).validation.map((r) => r.path)).toEqual(splits.validation.map((r) => r.path));
    expect(splits.splitGrouping).toEqual({ by: "patient", source: csv, groups: 30, ungrouped: 0 });
  });

  it("says which images lack a patient ID, and that the IDs are needed at all", async () => {
    const csv = path.join(tmp, "partial.csv");
    writeFileSync(csv, "file,patient_id\nnot-there.png,P1\n");
    const config = resolveConfig("quick", { split: { by: "patient" } });
    await expect(
      prepareDataset(config, { dataDir: sharedPaths.sample(), patients: await readPatientIds(csv) }),
    ).rejects.toThrow(`split by patient: 120 image(s) have no patient ID in ${csv}, e.g. `);
    await expect(prepareDataset(config, { dataDir: sharedPaths.sample() })).rejects.toThrow(
      "split by patient needs the images' patient IDs or groups: a patients.csv (file,patient_id)",
    );
  });
});
