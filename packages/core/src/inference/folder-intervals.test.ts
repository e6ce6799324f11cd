import path from "node:path";
import { describe, expect, it } from "vitest";
import { listImageDirectory } from "../data/directory.ts";
import { sharedPaths } from "../paths.ts";
import { folderMetricIntervals } from "./folder-intervals.ts";

/** Predictions that are right for every image but the first of each class. */
async function scoredFolder(folder: string) {
  const { records, classNames } = await listImageDirectory(folder);
  const probabilities = records.map((r, i) => {
    const first = i === 0 || records[i - 1]!.label !== r.label;
    const predicted = first ? (r.label + 1) % classNames.length : r.label;
    return classNames.map((_, c) => (c === predicted ? 0.8 : 0.1));
  });
  return {
    probabilities,
    labels: records.map((r) => r.label),
    classNames,
    folder,
    paths: records.map((r) => r.path),
  };
}

describe("folderMetricIntervals", () => {
  it("groups by the GROUPS.tsv above a cxr-dev split and says so", async () => {
    const scored = await scoredFolder(sharedPaths.devTrain());
    const intervals = await folderMetricIntervals(scored, { resamples: 30, seed: 4 });
    const file = path.join(path.dirname(sharedPaths.devTrain()), "GROUPS.tsv");
    expect(intervals.grouping).toMatchObject({ by: "group", source: file, ungrouped: 0 });
    expect(intervals.grouping.units).toBeLessThan(scored.paths.length);
    expect(intervals).toMatchObject({ resamples: 30, seed: 4 });
    expect(intervals.accuracy.estimate).toBeCloseTo(1 - 3 / scored.paths.length, 12);
  });

  it("resamples per image where no GROUPS.tsv is found", async () => {
    const scored = await scoredFolder(sharedPaths.sample());
    const intervals = await folderMetricIntervals(scored, { resamples: 30 });
    expect(intervals.grouping).toEqual({ by: "image", units: 120 });
  });
});
