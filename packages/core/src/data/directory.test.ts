import { readdirSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { sharedPaths } from "../paths.ts";
import { listImageDirectory, listImageFiles } from "./directory.ts";
import { makeTempDir, touch } from "./test-helpers.ts";

const rel = (root: string, files: { path: string }[]) => files.map((f) => path.relative(root, f.path));

describe("listImageDirectory on cxr-sample", () => {
  it("finds 40 images per class, labelled in sorted folder order", async () => {
    const root = sharedPaths.sample();
    const listed = await listImageDirectory(root);
    expect(listed.root).toBe(root);
    expect(listed.classNames).toEqual([...CXR_CLASS_NAMES]);
    expect(listed.records).toHaveLength(120);
    for (const [label, className] of listed.classNames.entries()) {
      const inClass = listed.records.filter((r) => r.label === label);
      expect(inClass).toHaveLength(40);
      expect(inClass.every((r) => r.className === className)).toBe(true);
      // Same files as the folder, in code-point order (as Python's sorted()).
      const names = readdirSync(path.join(root, className)).sort((a, b) => (a < b ? -1 : 1));
      expect(inClass.map((r) => path.basename(r.path))).toEqual(names);
    }
    expect(rel(root, listed.ignored).sort()).toEqual(["MANIFEST.tsv", "SOURCES.md"]);
  });

  it("takes the class order and subset from classNames", async () => {
    const listed = await listImageDirectory(sharedPaths.sample(), {
      classNames: ["Viral Pneumonia", "COVID"],
    });
    expect(listed.classNames).toEqual(["Viral Pneumonia", "COVID"]);
    expect(listed.records).toHaveLength(80);
    expect(listed.records[0]?.className).toBe("Viral Pneumonia");
    expect(listed.records.filter((r) => r.label === 1).every((r) => r.className === "COVID")).toBe(true);
    expect(listed.ignored.map((i) => i.reason)).toContain("class not selected");
  });
});

describe("listImageDirectory on synthetic folders", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    tmp = await makeTempDir();
  });
  afterAll(() => tmp.cleanup());

  it("reads the Kaggle 2021 layout: steps into the dataset folder, never reads masks", async () => {
    const outer = path.join(tmp.dir, "k2021");
    const ds = "COVID-19_Radiography_Dataset";
    const classes = ["COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"];
    await touch(outer, [
      `${ds}/README.md.txt`,
      ...classes.map((c) => `${ds}/${c}.metadata.xlsx`),
      ...classes.flatMap((c) =>
        [1, 2, 10].flatMap((n) => [`${ds}/${c}/images/${c}-${n}.png`, `${ds}/${c}/masks/${c}-${n}.png`]),
      ),
    ]);
    const listed = await listImageDirectory(outer);
    expect(listed.root).toBe(path.join(outer, ds));
    expect(listed.classNames).toEqual(["COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"]);
    expect(listed.records.some((r) => r.path.includes(`${path.sep}masks${path.sep}`))).toBe(false);
    expect(
      rel(
        listed.root,
        listed.records.filter((r) => r.label === 0),
      ),
    ).toEqual(["COVID/images/COVID-1.png", "COVID/images/COVID-10.png", "COVID/images/COVID-2.png"]);
    const ignored = rel(listed.root, listed.ignored);
    expect(ignored).toEqual(expect.arrayContaining(["COVID/masks", "README.md.txt", "Normal.metadata.xlsx"]));

    const three = await listImageDirectory(outer, { classNames: [...CXR_CLASS_NAMES] });
    expect(three.records).toHaveLength(9);
    expect(three.records.map((r) => r.label)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(rel(three.root, three.ignored)).toContain("Lung_Opacity");
  });

  it("reads the Kaggle 2020 layout (images directly in the class folders, metadata beside)", async () => {
    const outer = path.join(tmp.dir, "k2020");
    const ds = "COVID-19 Radiography Database";
    await touch(outer, [
      `${ds}/COVID-19.metadata.xlsx`,
      `${ds}/NORMAL.metadata.xlsx`,
      `${ds}/COVID-19/COVID-19 (1).png`,
      `${ds}/COVID-19/COVID-19 (2).png`,
      `${ds}/NORMAL/NORMAL (1).png`,
      `${ds}/Viral Pneumonia/Viral Pneumonia (1).png`,
    ]);
    const listed = await listImageDirectory(outer);
    expect(listed.root).toBe(path.join(outer, ds));
    expect(listed.classNames).toEqual(["COVID-19", "NORMAL", "Viral Pneumonia"]);
    expect(listed.records.map((r) => r.label)).toEqual([0, 0, 1, 2]);
    expect(rel(listed.root, listed.ignored).sort()).toEqual([
      "COVID-19.metadata.xlsx",
      "NORMAL.metadata.xlsx",
    ]);
  });

  it("orders files like Keras' os.walk and filters extensions case-insensitively", async () => {
    const root = path.join(tmp.dir, "order");
    await touch(root, [
      "A/z.png",
      "A/B.PNG",
      "A/a.JpEg",
      "A/b/x.png",
      "A/a-b/y.tif",
      "A/c.bmp",
      "A/notes.txt",
      "A/.hidden.png",
      "A/d.tiff",
      "A/e.jpg",
      "A/f.gif",
    ]);
    const listed = await listImageDirectory(root);
    // The class folder's own files (sorted by code point: upper case first) come before its
    // sub-folders' files, sub-folders sorted by path ("a-b" before "b").
    expect(rel(path.join(root, "A"), listed.records)).toEqual([
      "B.PNG",
      "a.JpEg",
      "c.bmp",
      "d.tiff",
      "e.jpg",
      "z.png",
      "a-b/y.tif",
      "b/x.png",
    ]);
    const ignored = Object.fromEntries(listed.ignored.map((i) => [path.relative(root, i.path), i.reason]));
    expect(ignored).toEqual({
      "A/.hidden.png": "hidden entry",
      "A/notes.txt": "not an image file",
      "A/f.gif": "not an image file",
    });
  });

  it("does not follow symbolic links to folders inside a class (as Keras' os.walk)", async () => {
    const root = path.join(tmp.dir, "links");
    await touch(root, ["A/a.png", "elsewhere/b.png"]);
    await symlink(path.join(root, "elsewhere"), path.join(root, "A", "linked"));
    const listed = await listImageDirectory(root, { classNames: ["A"] });
    expect(rel(root, listed.records)).toEqual(["A/a.png"]);
    expect(rel(root, listed.ignored)).toContain("A/linked");
  });

  it("fails clearly on a missing folder, a file, no class folders, a missing or empty class", async () => {
    const missing = path.join(tmp.dir, "nope");
    await expect(listImageDirectory(missing)).rejects.toThrow(`Image folder not found: ${missing}`);

    const file = path.join(tmp.dir, "file.png");
    await writeFile(file, "");
    await expect(listImageDirectory(file)).rejects.toThrow(`Not a folder: ${file}`);

    const flat = path.join(tmp.dir, "flat");
    await touch(flat, ["a.png", "b.png"]);
    await expect(listImageDirectory(flat)).rejects.toThrow(`No class sub-folders in ${flat}`);

    const two = path.join(tmp.dir, "two");
    await touch(two, ["COVID/a.png", "Normal/b.png", "Normal/masks/m.png"]);
    await expect(listImageDirectory(two, { classNames: ["COVID", "Viral Pneumonia"] })).rejects.toThrow(
      `Class folder "Viral Pneumonia" not found in ${two}; it holds: "COVID", "Normal"`,
    );
    await expect(listImageDirectory(two, { classNames: ["COVID", "COVID"] })).rejects.toThrow("twice");

    const splits = path.join(tmp.dir, "splits");
    await touch(splits, ["Train/COVID/a.png", "Train/Normal/b.png", "Test/COVID/c.png", "Test/Normal/d.png"]);
    await expect(listImageDirectory(splits)).rejects.toThrow(
      `${splits} holds split folders (Test, Train), not class folders: give one of them, e.g. ${path.join(splits, "Test")}`,
    );

    await mkdir(path.join(two, "Empty", "masks"), { recursive: true });
    await writeFile(path.join(two, "Empty", "readme.txt"), "");
    await expect(listImageDirectory(two)).rejects.toThrow(
      `Class folder ${path.join(two, "Empty")} holds no images`,
    );
  });
});

describe("listImageFiles", () => {
  it("lists the images under a folder and fails on a missing one", async () => {
    const files = await listImageFiles(path.join(sharedPaths.sample(), "Normal"));
    expect(files).toHaveLength(40);
    expect(files.every((f) => path.isAbsolute(f) && f.endsWith(".png"))).toBe(true);
    await expect(listImageFiles(path.join(sharedPaths.sample(), "Nope"))).rejects.toThrow(
      "Image folder not found",
    );
  });
});
