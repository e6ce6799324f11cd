import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Grouping } from "../metrics/bootstrap.ts";

/** A dataset's image groups (near-duplicates, one patient's images): `relative_path<TAB>group` rows. */
export const GROUPS_FILE = "GROUPS.tsv";

export interface ImageGroups {
  file: string;
  /** Absolute image path -> group. */
  groups: ReadonlyMap<string, string>;
}

/**
 * Reads a GROUPS.tsv: a header naming the columns `relative_path` and `group`, then one image a
 * line, its path relative to the file's folder (e.g. "Test/COVID/x.png") or absolute.
 */
export async function readImageGroups(file: string): Promise<ImageGroups> {
  const lines = (await readFile(file, "utf8")).replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = (lines.shift() ?? "").split("\t");
  const pathColumn = header.indexOf("relative_path");
  const groupColumn = header.indexOf("group");
  if (pathColumn < 0 || groupColumn < 0) {
    throw new Error(`${file}: needs the tab-separated columns relative_path and group`);
  }
  const groups = new Map<string, string>();
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const fields = line.split("\t");
    const image = fields[pathColumn];
    const group = fields[groupColumn];
    if (!image || !group) throw new Error(`${file}:${i + 2}: empty relative_path or group`);
    groups.set(path.resolve(path.dirname(file), image), group);
  });
  return { file: path.resolve(file), groups };
}

/** The GROUPS.tsv in `folder` or else its parent (a dataset root above Train/ and Test/); null if none. */
export async function findImageGroups(folder: string): Promise<ImageGroups | null> {
  const dir = path.resolve(folder);
  for (const candidate of [dir, path.dirname(dir)]) {
    const file = path.join(candidate, GROUPS_FILE);
    if (existsSync(file)) return readImageGroups(file);
  }
  return null;
}

/** The bootstrap grouping of these images; null (resample per image) when none of them is listed. */
export function imageGrouping(paths: readonly string[], groups: ImageGroups | null): Grouping | null {
  if (!groups) return null;
  const keys = paths.map((p) => groups.groups.get(path.resolve(p)) ?? null);
  return keys.some((k) => k !== null) ? { keys, source: groups.file } : null;
}

/**
 * The grouping of image files whose folder is not known (e.g. a run's stored predictions): each
 * image is looked up in the GROUPS.tsv found from the folder above its class folder (that folder
 * or its parent, as for a folder). Null when none of them is listed.
 */
export async function groupingForImages(paths: readonly string[]): Promise<Grouping | null> {
  const rootOf = (p: string) => path.dirname(path.dirname(path.resolve(p)));
  const byRoot = new Map<string, ImageGroups | null>();
  for (const p of paths) {
    const root = rootOf(p);
    if (!byRoot.has(root)) byRoot.set(root, await findImageGroups(root));
  }
  const used = new Set<string>();
  const keys = paths.map((p) => {
    const groups = byRoot.get(rootOf(p));
    const group = groups?.groups.get(path.resolve(p));
    if (!groups || group === undefined) return null;
    used.add(groups.file);
    // Two datasets' files may reuse a group name: the key names the file too.
    return `${groups.file}\t${group}`;
  });
  return used.size > 0 ? { keys, source: [...used].join(", ") } : null;
}
