import { ZodError, z } from "zod";
import {
  augmentationSchema,
  type ExperimentConfig,
  type ExperimentConfigInput,
  experimentConfigSchema,
  optimizerSchema,
  preprocessingSchema,
  scheduleSchema,
  splitSchema,
  trainingSchema,
} from "./config.ts";
import { isPresetName, PRESET_NAMES, resolveConfig } from "./presets.ts";

/**
 * The config settings `cxrlab train` takes as flat options (and a queued job carries), each with
 * where it lands in the ExperimentConfig. One table, so building the config and naming the option
 * behind a config error cannot drift apart.
 */
export const OVERRIDE_PATHS = {
  name: ["name"],
  seed: ["seed"],
  imageSize: ["preprocessing", "imageSize"],
  views: ["augmentation", "cachedViews"],
  zoom: ["augmentation", "zoomRange"],
  rotation: ["augmentation", "rotationRange"],
  shift: ["augmentation", "shiftRange"],
  brightness: ["augmentation", "brightnessRange"],
  contrast: ["augmentation", "contrastRange"],
  gamma: ["augmentation", "gammaRange"],
  validationSplit: ["split", "validationSplit"],
  testSplit: ["split", "testSplit"],
  splitBy: ["split", "by"],
  epochs: ["training", "epochs"],
  batchSize: ["training", "batchSize"],
  microBatchSize: ["training", "microBatchSize"],
  freezeUntil: ["training", "freezeUntil"],
  cachePrefix: ["training", "cachePrefix"],
  lr: ["training", "optimizer", "learningRate"],
  momentum: ["training", "optimizer", "momentum"],
  optimizer: ["training", "optimizer", "type"],
  weightDecay: ["training", "optimizer", "weightDecay"],
  warmupEpochs: ["training", "schedule", "warmupEpochs"],
  lrSchedule: ["training", "schedule", "decay"],
  labelSmoothing: ["training", "labelSmoothing"],
  weightAverage: ["training", "weightAverage"],
  keep: ["training", "checkpointMonitor"],
  calibration: ["training", "calibration"],
} as const satisfies Record<string, readonly string[]>;

export type OverrideName = keyof typeof OVERRIDE_PATHS;

const config = experimentConfigSchema.shape;
const training = trainingSchema.shape;
const optimizer = optimizerSchema.shape;
const schedule = scheduleSchema.shape;
const augmentation = augmentationSchema.shape;

/**
 * The flat overrides (undefined leaves the preset's value): the one schema of them, each field
 * the config schema's own field (same bounds), optional. The queued job's options, the dashboard's
 * runs.create input and the CLI's flags are derived from it.
 */
export const trainOverridesSchema = z.strictObject({
  name: config.name.unwrap().optional(),
  seed: config.seed.unwrap().optional(),
  imageSize: preprocessingSchema.shape.imageSize.unwrap().optional(),
  views: augmentation.cachedViews.unwrap().optional(),
  zoom: augmentation.zoomRange.unwrap().optional(),
  rotation: augmentation.rotationRange.unwrap().optional(),
  shift: augmentation.shiftRange.unwrap().optional(),
  brightness: augmentation.brightnessRange.unwrap().optional(),
  contrast: augmentation.contrastRange.unwrap().optional(),
  gamma: augmentation.gammaRange.unwrap().optional(),
  validationSplit: splitSchema.shape.validationSplit.unwrap().optional(),
  testSplit: splitSchema.shape.testSplit.unwrap().optional(),
  splitBy: splitSchema.shape.by.unwrap().optional(),
  epochs: training.epochs.unwrap().optional(),
  batchSize: training.batchSize.unwrap().optional(),
  microBatchSize: training.microBatchSize,
  freezeUntil: training.freezeUntil.unwrap().optional(),
  cachePrefix: training.cachePrefix.unwrap().optional(),
  lr: optimizer.learningRate.unwrap().optional(),
  momentum: optimizer.momentum.unwrap().optional(),
  optimizer: optimizer.type.unwrap().optional(),
  weightDecay: optimizer.weightDecay.unwrap().optional(),
  warmupEpochs: schedule.warmupEpochs.unwrap().optional(),
  lrSchedule: schedule.decay.unwrap().optional(),
  labelSmoothing: training.labelSmoothing.unwrap().optional(),
  weightAverage: training.weightAverage.unwrap().optional(),
  keep: training.checkpointMonitor.unwrap().optional(),
  calibration: training.calibration.unwrap().optional(),
} satisfies Record<OverrideName, z.ZodType>);

/** The flat overrides; undefined leaves the preset's value. */
export type TrainOverrides = z.infer<typeof trainOverridesSchema>;

/**
 * The preset's config with the flat overrides applied, validated by the config schema. A value the
 * schema refuses throws a ZodError whose issue paths are the option names (`["imageSize"]`), so a
 * form or a command line can point at the field it came from.
 */
export function configFromOverrides(preset: string, options: TrainOverrides): ExperimentConfig {
  if (!isPresetName(preset))
    throw new Error(`unknown preset ${preset}: expected one of ${PRESET_NAMES.join(", ")}`);
  const overrides: Record<string, unknown> = {};
  for (const [option, configPath] of Object.entries(OVERRIDE_PATHS)) {
    const value = options[option as OverrideName];
    if (value === undefined) continue;
    let node = overrides;
    for (const key of configPath.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[configPath.at(-1) as string] = value;
  }
  try {
    return resolveConfig(preset, overrides as ExperimentConfigInput);
  } catch (err) {
    // Renamed in place: a ZodError built anew is no `instanceof Error`, which error handlers rely on.
    if (err instanceof ZodError) {
      for (const issue of err.issues) (issue as { path: PropertyKey[] }).path = optionPath(issue.path);
    }
    throw err;
  }
}

/** The option a config path was set from, or the config path itself when no option sets it. */
function optionPath(configPath: PropertyKey[]): PropertyKey[] {
  for (const [option, target] of Object.entries(OVERRIDE_PATHS)) {
    if (target.length === configPath.length && target.every((key, i) => key === configPath[i]))
      return [option];
  }
  return configPath;
}

/** What each flat option is in `config`: a preset's defaults, shown beside the fields that override them. */
export function overrideValues(config: ExperimentConfig): Record<OverrideName, unknown> {
  const values = {} as Record<OverrideName, unknown>;
  for (const [option, configPath] of Object.entries(OVERRIDE_PATHS)) {
    let node: unknown = config;
    for (const key of configPath) node = (node as Record<string, unknown> | undefined)?.[key];
    values[option as OverrideName] = node;
  }
  return values;
}
