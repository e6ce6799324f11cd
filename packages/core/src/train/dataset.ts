import type { ExperimentConfig } from "../config.ts";
import {
  groupedStratifiedSplit,
  type ImageGroups,
  type ImageRecord,
  kerasValidationSplit,
  listImageDirectory,
  resolveSplitGroups,
  type SplitGrouping,
  stratifiedSplit,
} from "../data/index.ts";

export interface DatasetSplits {
  classNames: string[];
  train: ImageRecord[];
  validation: ImageRecord[];
  test: ImageRecord[];
  /** Where the test images come from: their own folder, or held out of the training folder. */
  testSource: "folder" | "held-out";
  /** What validation and a held-out test set kept whole. */
  splitGrouping: SplitGrouping;
  ignored: { path: string; reason: string }[];
}

export interface DatasetSources {
  dataDir: string;
  testDir?: string;
  classNames?: string[];
  /** Use only the first N images of each class of the data folder (smoke runs, tests). */
  limitPerClass?: number;
  /**
   * Each image's patient (a patients CSV), for `split.by` patient or auto; without it the
   * GROUPS.tsv of the data folder or its parent groups the images.
   */
  patients?: ImageGroups;
}

/**
 * Lists the folders and cuts them into train / validation / test as the config says. Without a
 * test folder, a seeded stratified `split.testSplit` of the data folder becomes the test set first.
 * Split by patient, both validation and that test set take whole groups (see resolveSplitGroups).
 */
export async function prepareDataset(
  config: ExperimentConfig,
  sources: DatasetSources,
): Promise<DatasetSplits> {
  const data = await listImageDirectory(sources.dataDir, { classNames: sources.classNames });
  const ignored = [...data.ignored];
  const limit = sources.limitPerClass;
  let pool = limit
    ? data.classNames.flatMap((_, c) => data.records.filter((r) => r.label === c).slice(0, limit))
    : data.records;
  const { grouping: splitGrouping, groupOf: patientOf } = await resolveSplitGroups(
    config.split.by,
    pool,
    sources,
  );
  const holdOut = (records: ImageRecord[], fraction: number, seed: number) =>
    patientOf
      ? groupedStratifiedSplit(records, fraction, seed, patientOf)
      : stratifiedSplit(records, fraction, seed);
  let test: ImageRecord[] = [];
  let testSource: DatasetSplits["testSource"] = "held-out";
  if (sources.testDir) {
    const testSet = await listImageDirectory(sources.testDir, { classNames: data.classNames });
    test = testSet.records;
    ignored.push(...testSet.ignored);
    testSource = "folder";
  } else if (config.split.testSplit > 0) {
    const held = holdOut(pool, config.split.testSplit, config.seed + 1);
    pool = held.train;
    test = held.validation;
  }
  const { validationSplit, mode } = config.split;
  const { train, validation } =
    mode === "keras" && !patientOf
      ? kerasValidationSplit(pool, validationSplit)
      : holdOut(pool, validationSplit, config.seed);
  if (train.length === 0) throw new Error(`no training images left in ${sources.dataDir} after the splits`);
  return { classNames: data.classNames, train, validation, test, testSource, splitGrouping, ignored };
}
