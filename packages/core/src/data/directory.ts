import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** Extensions Keras' `flow_from_directory` accepts that we can decode (matched case-insensitively). */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"] as const;

/** One image and its class, as `flow_from_directory` labels it. */
export interface ImageRecord {
  /** Absolute path of the file. */
  path: string;
  /** Class index: position of `className` in the directory's `classNames`. */
  label: number;
  className: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ImageDirectory {
  /** The folder whose sub-folders are the classes (after stepping into a lone dataset folder). */
  root: string;
  classNames: string[];
  /** Class by class in label order; inside a class in Keras' file order. */
  records: ImageRecord[];
  /** Files and folders that were seen and not used, with why. */
  ignored: SkippedFile[];
}

export interface ListImageDirectoryOptions {
  /**
   * Classes to read, in label order; a subset of the folders is allowed (e.g. to leave out
   * `Lung_Opacity`). Default: every class folder, in sorted name order.
   */
  classNames?: readonly string[];
}

const MASK_FOLDER = "masks";
/** Folder names that mean a train/test split, not a class (compared in lower case). */
const SPLIT_FOLDERS = new Set(["train", "test", "val", "valid", "validation"]);

export function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Python's `sorted()` on str orders by code point; UTF-8 byte order is the same order. */
function sortByCodePoint(names: string[]): string[] {
  const keyed = names.map((name) => ({ name, key: Buffer.from(name, "utf8") }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.name);
}

interface FolderEntries {
  folders: string[];
  files: string[];
}

/**
 * Splits a folder's entries into sub-folders and files, in code-point order. Hidden entries,
 * `masks` folders and (below the top level) symbolic links to folders are reported as ignored.
 */
async function readFolder(
  dir: string,
  ignored: SkippedFile[],
  followFolderLinks: boolean,
): Promise<FolderEntries> {
  const entries = new Map<string, Dirent>();
  for (const entry of await readdir(dir, { withFileTypes: true })) entries.set(entry.name, entry);
  const folders: string[] = [];
  const files: string[] = [];
  for (const name of sortByCodePoint([...entries.keys()])) {
    const full = path.join(dir, name);
    const entry = entries.get(name) as Dirent;
    if (name.startsWith(".")) {
      ignored.push({ path: full, reason: "hidden entry" });
      continue;
    }
    let isFolder = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      if (!target) {
        ignored.push({ path: full, reason: "broken symbolic link" });
        continue;
      }
      isFolder = target.isDirectory();
      if (isFolder && !followFolderLinks) {
        ignored.push({ path: full, reason: "symbolic link to a folder (not followed, as in Keras)" });
        continue;
      }
    }
    if (isFolder && name.toLowerCase() === MASK_FOLDER) {
      ignored.push({ path: full, reason: "segmentation masks folder, not training images" });
    } else if (isFolder) {
      folders.push(name);
    } else {
      files.push(name);
    }
  }
  return { folders, files };
}

/**
 * Keras' `_iter_valid_files`: `os.walk` sorted by directory path, files sorted within each
 * directory. (A folder's own files come before its sub-folders' files, which is not the same
 * as sorting every relative path.)
 */
async function walkImages(classDir: string, ignored: SkippedFile[]): Promise<string[]> {
  const dirs: string[] = [];
  const pending = [""];
  const filesByDir = new Map<string, string[]>();
  while (pending.length > 0) {
    const rel = pending.pop() as string;
    dirs.push(rel);
    const { folders, files } = await readFolder(path.join(classDir, rel), ignored, false);
    filesByDir.set(rel, files);
    pending.push(...folders.map((f) => (rel ? `${rel}/${f}` : f)));
  }
  const images: string[] = [];
  for (const rel of sortByCodePoint(dirs)) {
    for (const name of filesByDir.get(rel) ?? []) {
      const full = path.join(classDir, rel, name);
      if (isImageFile(name)) images.push(full);
      else ignored.push({ path: full, reason: "not an image file" });
    }
  }
  return images;
}

async function assertFolder(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new Error(`Image folder not found: ${dir}`);
  if (!info.isDirectory()) {
    throw new Error(`Not a folder: ${dir} (expected a folder with one sub-folder per class)`);
  }
}

/**
 * Image files under a folder (absolute paths), in Keras' file order, skipping hidden entries
 * and `masks` folders; what was left out is appended to `ignored` when given.
 */
export async function listImageFiles(dir: string, ignored: SkippedFile[] = []): Promise<string[]> {
  const folder = path.resolve(dir);
  await assertFolder(folder);
  return walkImages(folder, ignored);
}

/**
 * A downloaded dataset often sits one level down (the Kaggle archive unpacks to
 * `COVID-19_Radiography_Dataset/` or `COVID-19 Radiography Database/`): step into a lone
 * sub-folder when it looks like the dataset folder (no images of its own, two or more
 * sub-folders) rather than a class.
 */
async function findClassRoot(
  dir: string,
  classNames: readonly string[] | undefined,
  ignored: SkippedFile[],
): Promise<{ root: string; entries: FolderEntries }> {
  const entries = await readFolder(dir, ignored, true);
  const [only] = entries.folders;
  if (entries.folders.length !== 1 || only === undefined || entries.files.some(isImageFile)) {
    return { root: dir, entries };
  }
  if (classNames?.includes(only)) return { root: dir, entries };
  const inner = path.join(dir, only);
  const innerEntries = await readFolder(inner, [], true);
  if (innerEntries.folders.length < 2 || innerEntries.files.some(isImageFile)) return { root: dir, entries };
  return findClassRoot(inner, classNames, ignored);
}

/**
 * Lists a `flow_from_directory` image folder: one sub-folder per class, classes indexed in
 * sorted folder-name order (or in `classNames` order), files found recursively. Besides the
 * plain layout it reads both Kaggle "COVID-19 Radiography Database" releases: 2020 (class
 * folders holding the images, metadata files beside them) and 2021 (`<class>/images/*.png`
 * next to `<class>/masks/`, which is never read).
 */
export async function listImageDirectory(
  dir: string,
  opts: ListImageDirectoryOptions = {},
): Promise<ImageDirectory> {
  const requested = opts.classNames;
  if (requested !== undefined) {
    if (requested.length === 0) throw new Error("classNames must name at least one class");
    const dup = requested.find((name, i) => requested.indexOf(name) !== i);
    if (dup !== undefined) throw new Error(`classNames lists "${dup}" twice`);
  }
  const given = path.resolve(dir);
  await assertFolder(given);
  const ignored: SkippedFile[] = [];
  const { root, entries } = await findClassRoot(given, requested, ignored);
  if (entries.folders.length === 0) {
    throw new Error(
      `No class sub-folders in ${root}: expected one sub-folder per class (e.g. COVID/, Normal/, Viral Pneumonia/)`,
    );
  }
  for (const name of entries.files) {
    ignored.push({ path: path.join(root, name), reason: "file beside the class folders" });
  }

  if (!requested && entries.folders.every((name) => SPLIT_FOLDERS.has(name.toLowerCase()))) {
    throw new Error(
      `${root} holds split folders (${entries.folders.join(", ")}), not class folders: ` +
        `give one of them, e.g. ${path.join(root, entries.folders[0] as string)}`,
    );
  }
  const classNames = requested ? [...requested] : entries.folders;
  const missing = classNames.filter((name) => !entries.folders.includes(name));
  if (missing.length > 0) {
    throw new Error(
      `Class folder${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} not found in ${root}; ` +
        `it holds: ${entries.folders.map((f) => `"${f}"`).join(", ")}`,
    );
  }
  for (const name of entries.folders) {
    if (!classNames.includes(name)) {
      ignored.push({ path: path.join(root, name), reason: "class not selected" });
    }
  }

  const records: ImageRecord[] = [];
  for (const [label, className] of classNames.entries()) {
    const classDir = path.join(root, className);
    const images = await walkImages(classDir, ignored);
    if (images.length === 0) {
      throw new Error(
        `Class folder ${classDir} holds no images (looked for ${IMAGE_EXTENSIONS.join(", ")}, in sub-folders too)`,
      );
    }
    for (const file of images) records.push({ path: file, label, className });
  }
  return { root, classNames, records, ignored };
}
