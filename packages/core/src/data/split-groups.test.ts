import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { sharedPaths } from "../paths.ts";
import { resolveConfig } from "../presets.ts";
import { prepareDataset } from "../train/dataset.ts";
import type { ImageRecord } from "./directory.ts";
import { readPatientIds } from "./patient-ids.ts";
import { groupedStratifiedSplit } from "./split.ts";
import { describeSplitGrouping, resolveSplitGroups } from "./split-groups.ts";

const CLASSES = [...CXR_CLASS_NAMES];

/** Every group of `groupOf` on one side only, across any number of parts. */
function expectGroupsWhole(parts: readonly (readonly ImageRecord[])[], groupOf: (r: ImageRecord) => string) {
  const sides = new Map<string, number>();
  parts.forEach((part, side) => {
    for (const record of part) {
      const group = groupOf(record);
      expect(sides.get(group) ?? side, `group ${group}`).toBe(side);
      sides.set(group, side);
    }
  });
}

describe("resolveSplitGroups on synthetic lists", () => {
  // 60 images, 20 per class, under <root>/Train; GROUPS.tsv at <root> lists 16 of each class, in
  // groups of 1, 2, 3, 4, 1, 2 and 3 images (7 per class), and leaves every fifth image out.
  const root = mkdtempSync(path.join(tmpdir(), "cxrlab-split-groups-"));
  const records: ImageRecord[] = CLASSES.flatMap((className, label) =>
    Array.from({ length: 20 }, (_, i) => ({
      path: path.join(root, "Train", className, `${i}.png`),
      label,
      className,
    })),
  );
  const listed = records.filter((_, i) => i % 5 !== 4);
  const groupOfListed = new Map<string, string>();
  for (const className of CLASSES) {
    const mine = listed.filter((r) => r.className === className);
    for (let start = 0, size = 1; start < mine.length; start += size, size = (size % 4) + 1) {
      for (const r of mine.slice(start, start + size)) groupOfListed.set(r.path, `${className}-${start}`);
    }
  }
  writeFileSync(
    path.join(root, "GROUPS.tsv"),
    `relative_path\tgroup\n${[...groupOfListed].map(([p, g]) => `${path.relative(root, p)}\t${g}`).join("\n")}\n`,
  );
  const trainDir = path.join(root, "Train");

  it("keeps every GROUPS.tsv group on one side; an unlisted image is a group of its own", async () => {
    const { grouping, groupOf } = await resolveSplitGroups("patient", records, { dataDir: trainDir });
    expect(grouping).toEqual({
      by: "patient",
      source: path.join(root, "GROUPS.tsv"),
      groups: 3 * 7 + 12,
      ungrouped: 12,
    });
    expect(groupOf).toBeDefined();
    const unlisted = records.filter((r) => !listed.includes(r)).map(groupOf!);
    expect(new Set(unlisted).size).toBe(12);
    for (const seed of [1, 2, 3]) {
      const test = groupedStratifiedSplit(records, 0.25, seed + 1, groupOf!);
      const rest = groupedStratifiedSplit(test.train, 0.2, seed, groupOf!);
      expectGroupsWhole([rest.train, rest.validation, test.validation], groupOf!);
      expect(rest.validation.length).toBeGreaterThan(0);
      expect(test.validation.length).toBeGreaterThan(0);
    }
    expect(describeSplitGrouping(grouping)).toBe(
      `split by patient: 33 groups from ${path.join(root, "GROUPS.tsv")}, 12 unlisted image(s) each a group of its own`,
    );
  });

  it("prefers the patient IDs given, and splits by image when asked to or, for auto, without groups", async () => {
    const csv = path.join(root, "patients.csv");
    writeFileSync(
      csv,
      `file,patient_id\n${records.map((r, i) => `"${r.path}",p${i % 7}-${r.label}`).join("\n")}\n`,
    );
    const patients = await readPatientIds(csv);
    const byPatient = await resolveSplitGroups("auto", records, { dataDir: trainDir, patients });
    expect(byPatient.grouping).toEqual({ by: "patient", source: csv, groups: 21, ungrouped: 0 });

    expect(await resolveSplitGroups("image", records, { dataDir: trainDir })).toEqual({
      grouping: { by: "image" },
    });
    const elsewhere = records.map((r) => ({
      ...r,
      path: path.join(tmpdir(), "nowhere", r.className, "x.png"),
    }));
    const dataDir = path.join(tmpdir(), "nowhere");
    const auto = await resolveSplitGroups("auto", elsewhere, { dataDir });
    expect(auto.groupOf).toBeUndefined();
    expect(auto.grouping).toEqual({ by: "image", reason: expect.stringContaining("no GROUPS.tsv") });
    expect(describeSplitGrouping(auto.grouping)).toMatch(/^split by image \(no patients\.csv/);
  });

  it("refuses a split by patient without patient IDs or a GROUPS.tsv listing the images, saying what to add", async () => {
    const dataDir = path.join(tmpdir(), "nowhere");
    await expect(resolveSplitGroups("patient", records, { dataDir })).rejects.toThrow(
      `split by patient needs the images' patient IDs or groups: a patients.csv (file,patient_id) in ${dataDir} ` +
        `or --patients FILE, or a GROUPS.tsv (relative_path<TAB>group) listing the images in ${dataDir} or its parent`,
    );
    // A GROUPS.tsv that lists none of these images counts as none.
    const strangers = records.map((r) => ({ ...r, path: `${r.path}.other.png` }));
    await expect(resolveSplitGroups("patient", strangers, { dataDir: trainDir })).rejects.toThrow(
      /^split by patient needs/,
    );
  });
});

describe("prepareDataset with a GROUPS.tsv beside the training folder", () => {
  // 30 sample images per class copied to <root>/Train/<class>/, grouped in threes by GROUPS.tsv.
  const root = mkdtempSync(path.join(tmpdir(), "cxrlab-grouped-data-"));
  const rows: string[] = [];
  for (const className of CLASSES) {
    const from = path.join(sharedPaths.sample(), className);
    mkdirSync(path.join(root, "Train", className), { recursive: true });
    for (const [i, file] of readdirSync(from).sort().slice(0, 30).entries()) {
      copyFileSync(path.join(from, file), path.join(root, "Train", className, file));
      rows.push(`Train/${className}/${file}\t${className}-${Math.floor(i / 3)}`);
    }
  }
  writeFileSync(path.join(root, "GROUPS.tsv"), `relative_path\tgroup\n${rows.join("\n")}\n`);
  const dataDir = path.join(root, "Train");

  it("recommended takes whole groups for validation and the held-out test set, and says so", async () => {
    const config = resolveConfig("recommended");
    expect(config.split.by).toBe("auto");
    const splits = await prepareDataset(config, { dataDir });
    expect(splits.splitGrouping).toEqual({
      by: "patient",
      source: path.join(root, "GROUPS.tsv"),
      groups: 30,
      ungrouped: 0,
    });
    const groupOf = new Map(
      rows.map((row) => {
        const [file, name] = row.split("\t");
        return [path.join(root, file!), name!];
      }),
    );
    expectGroupsWhole([splits.train, splits.validation, splits.test], (r) => groupOf.get(r.path)!);
    expect(splits.train.length + splits.validation.length + splits.test.length).toBe(90);
    // Test: round(0.25 * 30) = 8 of each class -> 2 groups of 3; validation: round(0.1 * 24) = 2 -> one group.
    expect(splits.test).toHaveLength(3 * 6);
    expect(splits.validation).toHaveLength(3 * 3);
  });

  it("reference splits by image unless asked, and quick follows recommended", async () => {
    expect((await prepareDataset(resolveConfig("reference"), { dataDir })).splitGrouping).toEqual({
      by: "image",
    });
    expect((await prepareDataset(resolveConfig("quick"), { dataDir })).splitGrouping.by).toBe("patient");
    const asked = resolveConfig("reference", { split: { by: "patient" } });
    expect((await prepareDataset(asked, { dataDir })).splitGrouping.by).toBe("patient");
  });
});
