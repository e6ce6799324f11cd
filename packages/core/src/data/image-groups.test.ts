import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { listImageDirectory } from "./directory.ts";
import { findImageGroups, groupingForImages, imageGrouping, readImageGroups } from "./image-groups.ts";

describe("GROUPS.tsv", () => {
  it("maps each listed image, relative to the file's folder, to its group", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "cxrlab-groups-"));
    const file = path.join(root, "GROUPS.tsv");
    writeFileSync(
      file,
      "relative_path\tgroup\r\nTest/A/x.png\tg1\r\nTest/B/y.png\tg1\r\n\r\nTrain/A/z.png\tg2\r\n",
    );
    const { file: found, groups } = await readImageGroups(file);
    expect(found).toBe(file);
    expect([...groups]).toEqual([
      [path.join(root, "Test/A/x.png"), "g1"],
      [path.join(root, "Test/B/y.png"), "g1"],
      [path.join(root, "Train/A/z.png"), "g2"],
    ]);
    // Found from the dataset root and from a split folder below it; not from elsewhere.
    mkdirSync(path.join(root, "Test"));
    expect((await findImageGroups(root))?.file).toBe(file);
    expect((await findImageGroups(path.join(root, "Test")))?.file).toBe(file);
    expect(await findImageGroups(tmpdir())).toBeNull();

    const test = (name: string) => path.join(root, "Test", name);
    const found2 = await findImageGroups(path.join(root, "Test"));
    expect(imageGrouping([test("A/x.png"), test("B/y.png"), test("A/new.png")], found2)).toEqual({
      keys: ["g1", "g1", null],
      source: file,
    });
    expect(imageGrouping([test("A/new.png")], found2)).toBeNull();
    expect(imageGrouping([test("A/x.png")], null)).toBeNull();
  });

  it("finds the groups of loose image files above their class folders, keeping datasets apart", async () => {
    const make = (name: string) => {
      const root = mkdtempSync(path.join(tmpdir(), `cxrlab-${name}-`));
      writeFileSync(
        path.join(root, "GROUPS.tsv"),
        "relative_path\tgroup\nTest/A/x.png\tg1\nTest/A/y.png\tg1\n",
      );
      return root;
    };
    const one = make("one");
    const two = make("two");
    const files = [
      path.join(one, "Test/A/x.png"),
      path.join(two, "Test/A/x.png"),
      path.join(one, "Test/A/y.png"),
      path.join(tmpdir(), "elsewhere/A/z.png"),
    ];
    const grouping = (await groupingForImages(files))!;
    // Same group name "g1" in two files: two groups.
    expect(grouping.keys[0]).toBe(grouping.keys[2]);
    expect(grouping.keys[1]).not.toBe(grouping.keys[0]);
    expect(grouping.keys[3]).toBeNull();
    expect(grouping.source).toBe(`${path.join(one, "GROUPS.tsv")}, ${path.join(two, "GROUPS.tsv")}`);
    expect(await groupingForImages([files[3]!])).toBeNull();
  });

  it("names the file when a column or a value is missing", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "cxrlab-groups-"));
    const file = path.join(root, "GROUPS.tsv");
    writeFileSync(file, "path\tgroup\na.png\tg\n");
    await expect(readImageGroups(file)).rejects.toThrow(`${file}: needs the tab-separated columns`);
    writeFileSync(file, "relative_path\tgroup\na.png\tg\nb.png\t\n");
    await expect(readImageGroups(file)).rejects.toThrow(`${file}:3: empty relative_path or group`);
  });

  it("lists every image of the real cxr-dev, one group per Test image, shared groups in Train", async () => {
    const groups = await findImageGroups(sharedPaths.devTest());
    expect(groups?.file).toBe(path.join(path.dirname(sharedPaths.devTest()), "GROUPS.tsv"));
    const rows = readFileSync(groups!.file, "utf8").trim().split("\n").length - 1;
    expect(groups!.groups.size).toBe(rows);
    const { records } = await listImageDirectory(sharedPaths.devTest());
    const grouping = imageGrouping(
      records.map((r) => r.path),
      groups,
    )!;
    expect(grouping.keys).toHaveLength(312);
    expect(grouping.keys.every((k) => k !== null)).toBe(true);
    // SOURCES.md: Test was filled with single-image groups only; Train holds multi-image groups.
    expect(new Set(grouping.keys).size).toBe(312);
    const train = await listImageDirectory(sharedPaths.devTrain());
    const trainKeys = imageGrouping(
      train.records.map((r) => r.path),
      await findImageGroups(sharedPaths.devTrain()),
    )!.keys;
    expect(trainKeys.every((k) => k !== null)).toBe(true);
    expect(new Set(trainKeys).size).toBeLessThan(train.records.length);
  });
});
