import { type ExperimentConfig, type ExperimentConfigInput, experimentConfigSchema } from "./config.ts";

/** The reference notebook's code, setting for setting (see shared/reference/README.md). */
const reference: ExperimentConfigInput = {
  name: "reference",
  preset: "reference",
  architecture: "densenet169",
  preprocessing: { imageSize: 256, resize: "nearest", rescale: 1 / 255, normalization: "none" },
  augmentation: { zoomRange: 0.07, horizontalFlip: false, augmentValidation: true },
  split: { validationSplit: 0.08, mode: "keras" },
  head: { denseUnits: [512, 64], dropout: 0.3 },
  training: {
    epochs: 10,
    batchSize: 32,
    freezeUntil: 369,
    optimizer: { type: "sgd", learningRate: 0.1, momentum: 0 },
    dropRemainder: true,
    checkpointMonitor: "val_loss",
  },
};

/**
 * What we recommend instead; the README explains each change. In short: feed the backbone the
 * input statistics it was pretrained on, resize every image the same smooth way (the set mixes
 * 224px and 256px images), keep validation deterministic so the checkpoint choice is not noise,
 * use a smaller step with momentum instead of lr 0.1, and keep batch-norm statistics fixed while
 * fine-tuning (Keras' transfer-learning advice). Validation (and a held-out test set) takes whole
 * patients when the images' patient IDs or a GROUPS.tsv are found, so near-duplicates and one
 * patient's images cannot sit on both sides; without either it falls back to single images.
 */
const recommended: ExperimentConfigInput = {
  ...reference,
  name: "recommended",
  preset: "recommended",
  preprocessing: { imageSize: 256, resize: "bilinear", rescale: 1 / 255, normalization: "imagenet" },
  augmentation: { zoomRange: 0.1, horizontalFlip: false, augmentValidation: false, cachedViews: 4 },
  split: { validationSplit: 0.1, mode: "stratified", by: "auto" },
  training: {
    ...reference.training,
    optimizer: { type: "sgd", learningRate: 0.001, momentum: 0.9 },
    dropRemainder: false,
    batchNormStatistics: "moving",
  },
};

/** A few-minute run on the 120-image sample, for the demo and CI. */
const quick: ExperimentConfigInput = {
  ...recommended,
  name: "quick",
  preset: "quick",
  preprocessing: { ...recommended.preprocessing, imageSize: 128 },
  augmentation: { ...recommended.augmentation, cachedViews: 2 },
  split: { ...recommended.split, validationSplit: 0.15, testSplit: 0.25 },
  training: { ...recommended.training, epochs: 15, batchSize: 8 },
};

export const PRESETS = { reference, recommended, quick } as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** A preset's full config, with `overrides` (already nested) applied on top and validated. */
export function resolveConfig(preset: PresetName, overrides: ExperimentConfigInput = {}): ExperimentConfig {
  return experimentConfigSchema.parse(deepMerge(PRESETS[preset], overrides));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function deepMerge<T extends Obj>(base: T, over: Obj): T {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out as T;
}
