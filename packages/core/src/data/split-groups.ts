import type { SplitBy } from "../config.ts";
import type { ImageRecord } from "./directory.ts";
import { findImageGroups, GROUPS_FILE, type ImageGroups, imageGrouping } from "./image-groups.ts";

/** What a run's validation (and held-out test) split kept whole, recorded with the run. */
export type SplitGrouping =
  | {
      by: "image";
      /** Why `auto` split by image: no patient IDs or groups were found. */
      reason?: string;
    }
  | {
      by: "patient";
      /** The patients CSV or GROUPS.tsv the groups come from. */
      source: string;
      /** Groups among the images, each image the file does not list counted as one. */
      groups: number;
      /** Images the file does not list, each a group of its own. */
      ungrouped: number;
    };

export interface SplitGroups {
  grouping: SplitGrouping;
  /** Each image's group; absent when splitting by image. */
  groupOf?: (record: ImageRecord) => string;
}

/**
 * The groups a split of `pool` keeps whole. With patient IDs (a patients CSV) every image must have
 * one; otherwise the GROUPS.tsv of the data folder or its parent is used, where an image it does
 * not list is a group of its own. Without either, `auto` splits by image and `patient` throws.
 */
export async function resolveSplitGroups(
  by: SplitBy,
  pool: readonly ImageRecord[],
  sources: { dataDir: string; patients?: ImageGroups },
): Promise<SplitGroups> {
  if (by === "image") return { grouping: { by: "image" } };
  const { dataDir, patients } = sources;
  if (patients) {
    const missing = pool.filter((r) => !patients.groups.has(r.path));
    if (missing.length) {
      const first = missing.slice(0, 3).map((r) => r.path);
      throw new Error(
        `split by patient: ${missing.length} image(s) have no patient ID in ${patients.file}, e.g. ${first.join(", ")}`,
      );
    }
    return groupsOf(
      pool,
      pool.map((r) => patients.groups.get(r.path)!),
      patients.file,
    );
  }
  const listed = imageGrouping(
    pool.map((r) => r.path),
    await findImageGroups(dataDir),
  );
  if (listed) return groupsOf(pool, listed.keys, listed.source);
  if (by === "auto") {
    const reason = `no patients.csv (or --patients) in ${dataDir}, no ${GROUPS_FILE} listing its images there or in its parent`;
    return { grouping: { by: "image", reason } };
  }
  throw new Error(
    `split by patient needs the images' patient IDs or groups: a patients.csv (file,patient_id) in ${dataDir} ` +
      `or --patients FILE, or a ${GROUPS_FILE} (relative_path<TAB>group) listing the images in ${dataDir} or its parent`,
  );
}

/** The split groups of the pool's images from their keys (null: not listed, a group of its own). */
function groupsOf(
  pool: readonly ImageRecord[],
  keys: readonly (string | null)[],
  source: string,
): SplitGroups {
  // Prefixed so that an image's own group can never share a name with a listed one.
  const groupByPath = new Map(
    pool.map((r, i) => [r.path, keys[i] === null ? `image:${r.path}` : `group:${keys[i]}`]),
  );
  return {
    grouping: {
      by: "patient",
      source,
      groups: new Set(groupByPath.values()).size,
      ungrouped: keys.filter((k) => k === null).length,
    },
    groupOf: (record) => {
      const group = groupByPath.get(record.path);
      if (group === undefined) throw new Error(`split by patient: ${record.path} is not in the data folder`);
      return group;
    },
  };
}

/** One line saying what the split kept whole, for logs and reports. */
export function describeSplitGrouping(grouping: SplitGrouping): string {
  if (grouping.by === "image") return `split by image${grouping.reason ? ` (${grouping.reason})` : ""}`;
  const unlisted = grouping.ungrouped
    ? `, ${grouping.ungrouped} unlisted image(s) each a group of its own`
    : "";
  return `split by patient: ${grouping.groups} groups from ${grouping.source}${unlisted}`;
}
