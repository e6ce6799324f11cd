import type { ExperimentConfig } from "../config.ts";
import {
  groupedStratifiedSplit,
  type ImageRecord,
  kerasValidationSplit,
  listImageDirectory,
  stratifiedSplit,
} from "../data/index.ts";

export interface DatasetSplits {
  classNames: string[];
  train: ImageRecord[];
  validation: ImageRecord[];
  test: ImageRecord[];
  /** Where the test images come from: their own folder, or held out of the training folder. */
  testSource: "folder" | "held-out";
  ignored: { path: string; reason: string }[];
}

export interface DatasetSources {
  dataDir: string;
  testDir?: string;
  classNames?: string[];
  /** Use only the first N images of each class of the data folder (smoke runs, tests). */
  limitPerClass?: number;
  /** Image path -> patient ID; required by `split.by: "patient"`. */
  patients?: ReadonlyMap<string, string>;
}

/**
 * Lists the folders and cuts them into train / validation / test as the config says. Without a
 * test folder, a seeded stratified `split.testSplit` of the data folder becomes the test set first.
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
  const patientOf = config.split.by === "patient" ? patientLookup(pool, sources) : undefined;
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
  return { classNames: data.classNames, train, validation, test, testSource, ignored };
}

/** The patient of each image of the pool; throws when the pool has images without one. */
function patientLookup(pool: readonly ImageRecord[], sources: DatasetSources): (r: ImageRecord) => string {
  const { patients } = sources;
  if (!patients) {
    throw new Error(
      `split by patient needs the images' patient IDs: a patients.csv (file,patient_id) in ${sources.dataDir} or --patients FILE`,
    );
  }
  const missing = pool.filter((r) => !patients.has(r.path));
  if (missing.length) {
    const first = missing.slice(0, 3).map((r) => r.path);
    throw new Error(
      `split by patient: ${missing.length} image(s) have no patient ID, e.g. ${first.join(", ")}`,
    );
  }
  return (r) => patients.get(r.path)!;
}
