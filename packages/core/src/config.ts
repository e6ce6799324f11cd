import { z } from "zod";

/**
 * Upper bounds of the settings that size a run's work, so that a run asked for through the
 * dashboard, the API or a queued job cannot hold a worker for ever or exhaust its memory. Far above
 * what any preset or sensible run uses (DenseNet has ~600 layers; 1,000 epochs on the full
 * dataset is weeks on a CPU). The CLI's flags and the job schema take the same bounds.
 */
export const CONFIG_LIMITS = {
  epochs: 1000,
  batchSize: 1024,
  /** Also the bound of microBatchSize (a micro-batch larger than the batch is cut to it). */
  microBatchSize: 1024,
  learningRate: 10,
  /** Dense layers in the head, and units in each. */
  denseLayers: 8,
  denseUnits: 8192,
  freezeUntil: 100_000,
  imageSize: 1024,
  cachedViews: 64,
  seed: 2 ** 32 - 1,
  nameLength: 200,
  /** Images per class (`--limit-per-class`). */
  limitPerClass: 10_000_000,
} as const;

export const ARCHITECTURES = ["densenet121", "densenet169", "densenet201"] as const;
export const architectureSchema = z.enum(ARCHITECTURES);
export type Architecture = z.infer<typeof architectureSchema>;

/** `0` fine-tunes everything, `"all"` freezes the whole backbone, N freezes layers [0, N). */
export const freezeUntilSchema = z.union(
  [z.number().int().min(0).max(CONFIG_LIMITS.freezeUntil), z.literal("all")],
  {
    error: 'expected a layer index (0 fine-tunes everything) or "all"',
  },
);
export type FreezeUntil = z.infer<typeof freezeUntilSchema>;

export const resizeMethodSchema = z.enum(["nearest", "bilinear"]);
export type ResizeMethod = z.infer<typeof resizeMethodSchema>;

export const preprocessingSchema = z.strictObject({
  imageSize: z.number().int().min(32).max(CONFIG_LIMITS.imageSize).default(256),
  resize: resizeMethodSchema.default("nearest"),
  /** Multiplies raw 0..255 values (Keras `rescale`). */
  rescale: z
    .number()
    .positive()
    .default(1 / 255),
  /**
   * `none`: rescale only (the notebook). `imagenet`: Keras DenseNet's own preprocessing (torch
   * mode: per-channel ImageNet mean and std after rescale). `featurewise`: subtract the
   * per-channel mean fitted on the training images (what the notebook meant to do).
   */
  normalization: z.enum(["none", "imagenet", "featurewise"]).default("none"),
});
export type PreprocessingConfig = z.infer<typeof preprocessingSchema>;

export const augmentationSchema = z.strictObject({
  /** Keras `zoom_range`: scale drawn uniformly from [1 - z, 1 + z] per axis. */
  zoomRange: z.number().min(0).max(0.5).default(0.07),
  horizontalFlip: z.boolean().default(false),
  /** Keras `rotation_range`: a rotation drawn uniformly from [-r, r] degrees. */
  rotationRange: z.number().min(0).max(45).default(0),
  /** Keras `width_shift_range` and `height_shift_range` at once: a shift of up to this fraction of the size. */
  shiftRange: z.number().min(0).max(0.3).default(0),
  /** Intensity factor drawn from [1 - b, 1 + b] (Keras `brightness_range` [1 - b, 1 + b]). */
  brightnessRange: z.number().min(0).max(0.5).default(0),
  /** Contrast factor drawn from [1 - c, 1 + c], around the image's mean. */
  contrastRange: z.number().min(0).max(0.5).default(0),
  /** Gamma drawn from [1 - g, 1 + g]: 255 · (v / 255)^gamma. */
  gammaRange: z.number().min(0).max(0.5).default(0),
  /** The notebook built its validation subset from the augmenting generator. */
  augmentValidation: z.boolean().default(true),
  /** Augmented views cached per training image when the frozen prefix is cached. */
  cachedViews: z.number().int().min(1).max(CONFIG_LIMITS.cachedViews).default(4),
});
export type AugmentationConfig = z.infer<typeof augmentationSchema>;

/**
 * What validation and the held-out test set take whole. `image`: single images. `patient`: whole
 * patients (or groups of near-duplicates), from the images' patient IDs or else the dataset's
 * GROUPS.tsv; an error when there are neither. `auto`: by patient when either is there, else by image.
 */
export const splitBySchema = z.enum(["image", "patient", "auto"]);
export type SplitBy = z.infer<typeof splitBySchema>;

export const splitSchema = z.strictObject({
  /** Fraction of the training folder held out for validation. */
  validationSplit: z.number().min(0).max(0.5).default(0.08),
  /** `keras`: the first fraction of each class in sorted file order; `stratified`: seeded shuffle per class. */
  mode: z.enum(["keras", "stratified"]).default("keras"),
  /** Fraction held out as the test set when no separate test folder is given. */
  testSplit: z.number().min(0).max(0.5).default(0.25),
  /**
   * `patient`: validation and the held-out test set take whole patients (seeded, stratified by each
   * patient's most frequent class), so no patient spans two parts. See splitBySchema.
   */
  by: splitBySchema.default("image"),
});
export type SplitConfig = z.infer<typeof splitSchema>;

export const optimizerSchema = z.strictObject({
  /**
   * `sgd`: SGD, with (Nesterov) momentum when momentum > 0 (Keras' SGD). `adamw`: Adam with
   * decoupled weight decay (Loshchilov & Hutter); momentum and nesterov do not apply to it.
   */
  type: z.enum(["sgd", "adamw"]).default("sgd"),
  /** The peak learning rate (after warm-up, before decay; see training.schedule). */
  learningRate: z.number().positive().max(CONFIG_LIMITS.learningRate).default(0.1),
  momentum: z.number().min(0).max(0.999).default(0),
  nesterov: z.boolean().default(false),
  /**
   * Decoupled weight decay: each step shrinks every kernel (not biases or batch-norm parameters) by
   * learningRate x weightDecay, for either optimizer. 0 = off (the notebook).
   */
  weightDecay: z.number().min(0).max(1).default(0),
  /** Adam's moment decay rates (adamw only). */
  beta1: z.number().min(0).max(0.9999).default(0.9),
  beta2: z.number().min(0).max(0.99999).default(0.999),
});
export type OptimizerConfig = z.infer<typeof optimizerSchema>;

export const headSchema = z.strictObject({
  denseUnits: z
    .array(z.number().int().positive().max(CONFIG_LIMITS.denseUnits))
    .max(CONFIG_LIMITS.denseLayers)
    .default([512, 64]),
  dropout: z.number().min(0).max(0.9).default(0.3),
});
export type HeadConfig = z.infer<typeof headSchema>;

/** How the learning rate moves over the run, per step: a linear warm-up, then constant or cosine decay. */
export const scheduleSchema = z.strictObject({
  /** Epochs over which the rate rises linearly from near 0 to optimizer.learningRate. */
  warmupEpochs: z.number().min(0).max(100).default(0),
  /** After warm-up: `constant`, or `cosine` decay to minFactor x the peak by the last step. */
  decay: z.enum(["constant", "cosine"]).default("constant"),
  minFactor: z.number().min(0).max(1).default(0),
});
export type ScheduleConfig = z.infer<typeof scheduleSchema>;

export const trainingSchema = z.strictObject({
  epochs: z.number().int().min(1).max(CONFIG_LIMITS.epochs).default(10),
  batchSize: z.number().int().min(1).max(CONFIG_LIMITS.batchSize).default(32),
  /**
   * Largest batch run through the network at once; gradients are accumulated up to batchSize.
   * Default: 16 when only a cached suffix trains, 2 when training runs through the whole network
   * (what fits tfjs-wasm's 4 GB heap for DenseNet169 at 256 px).
   */
  microBatchSize: z.number().int().min(1).max(CONFIG_LIMITS.microBatchSize).optional(),
  freezeUntil: freezeUntilSchema.default(369),
  optimizer: optimizerSchema.default(optimizerSchema.parse({})),
  /** Keras `steps_per_epoch = samples // batch_size`: drop the last partial batch. */
  dropRemainder: z.boolean().default(true),
  /** Compute the frozen prefix once per image and view, then train only the rest. */
  cachePrefix: z.boolean().default(true),
  /**
   * Which epoch's weights the run keeps: the best by `val_loss` or `val_accuracy` (Keras
   * ModelCheckpoint), or the `last` one (with a decaying schedule or weight averaging, picking an
   * epoch by a noisy validation score adds noise instead of removing it).
   */
  checkpointMonitor: z.enum(["val_loss", "val_accuracy", "last"]).default("val_loss"),
  schedule: scheduleSchema.default(scheduleSchema.parse({})),
  /** Label smoothing ε: the target puts 1 - ε on the true class and ε/K on every class. 0 = off. */
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  /**
   * Exponential moving average of the trainable weights, decay per step (e.g. 0.99: about the last
   * 100 steps). Validation, the checkpoint and the saved model use the averaged weights. 0 = off.
   */
  weightAverage: z.number().min(0).max(0.9999).default(0),
  /**
   * How trainable BatchNormalization layers normalise while training. `batch`: batch statistics,
   * updating the moving averages (Keras' default). `moving`: the moving statistics, as at inference
   * (Keras' transfer-learning advice: small batches give noisy statistics that the model then
   * never sees at test time). Frozen BatchNormalization layers always use the moving statistics.
   */
  batchNormStatistics: z.enum(["batch", "moving"]).default("batch"),
  /**
   * `temperature`: after training, one temperature is fitted to the validation images (lowest
   * log-loss) and folded into the output layer, so every later prediction comes out calibrated
   * (Guo et al. 2017). Accuracy and rankings are unchanged. `none`: the probabilities as trained.
   */
  calibration: z.enum(["none", "temperature"]).default("none"),
});
export type TrainingConfig = z.infer<typeof trainingSchema>;

export const experimentConfigSchema = z.strictObject({
  name: z.string().min(1).max(CONFIG_LIMITS.nameLength).default("experiment"),
  preset: z.string().max(CONFIG_LIMITS.nameLength).default("custom"),
  architecture: architectureSchema.default("densenet169"),
  seed: z.number().int().min(0).max(CONFIG_LIMITS.seed).default(42),
  preprocessing: preprocessingSchema.default(preprocessingSchema.parse({})),
  augmentation: augmentationSchema.default(augmentationSchema.parse({})),
  split: splitSchema.default(splitSchema.parse({})),
  head: headSchema.default(headSchema.parse({})),
  training: trainingSchema.default(trainingSchema.parse({})),
});
export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;
/** What a user may write: every field optional, nested. */
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
