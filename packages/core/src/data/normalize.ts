import type { PreprocessingConfig } from "../config.ts";
import { streamBatches } from "./batches.ts";
import { type DecodeOptions, decodeImage } from "./decode.ts";
import type { ImageRecord } from "./directory.ts";

/** Keras DenseNet `preprocess_input` (torch mode): per-channel statistics of 0..1 ImageNet RGB. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Per-channel R, G, B mean of raw 0..255 pixels. */
export type ChannelMean = [number, number, number];

/**
 * Turns raw 0..255 HxWx3 pixels into model input, in place: multiply by `rescale`, then
 * `none`: nothing more; `imagenet`: `(v - mean) / std` per channel; `featurewise`: subtract
 * `featurewiseMean * rescale` (the mean is given in raw units, see `fitFeaturewiseMean`).
 */
export function normalizePixels(
  pixels: Float32Array,
  config: Pick<PreprocessingConfig, "rescale" | "normalization">,
  featurewiseMean?: readonly number[],
): Float32Array {
  const { rescale, normalization } = config;
  let mean: readonly number[] = [0, 0, 0];
  let std: readonly number[] = [1, 1, 1];
  if (normalization === "imagenet") {
    mean = IMAGENET_MEAN;
    std = IMAGENET_STD;
  } else if (normalization === "featurewise") {
    if (featurewiseMean?.length !== 3) {
      throw new Error(
        "featurewise normalization needs the R, G, B mean fitted on the training images (fitFeaturewiseMean)",
      );
    }
    mean = featurewiseMean.map((m) => m * rescale);
  }
  for (let i = 0; i < pixels.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      pixels[i + c] = ((pixels[i + c] as number) * rescale - (mean[c] as number)) / (std[c] as number);
    }
  }
  return pixels;
}

export interface FitFeaturewiseMeanOptions extends DecodeOptions {
  concurrency?: number;
  /** Leave out files that cannot be decoded instead of failing. */
  skipBad?: boolean;
}

/**
 * Keras `ImageDataGenerator.fit` for `featurewise_center`: the per-channel mean over every pixel
 * of the training images at model input size, before augmentation, in raw 0..255 units.
 * Reads each image once, a few at a time.
 */
export async function fitFeaturewiseMean(
  records: readonly ImageRecord[],
  opts: FitFeaturewiseMeanOptions,
): Promise<ChannelMean> {
  const sums = [0, 0, 0];
  let count = 0;
  const batches = streamBatches(records, {
    batchSize: 8,
    load: (record) => decodeImage(record.path, opts),
    concurrency: opts.concurrency,
    skipBad: opts.skipBad,
  });
  for await (const { x } of batches) {
    for (let i = 0; i < x.length; i += 3) {
      for (let c = 0; c < 3; c++) sums[c] = (sums[c] as number) + (x[i + c] as number);
    }
    count += x.length / 3;
  }
  if (count === 0) throw new Error("fitFeaturewiseMean: no training image could be read");
  return sums.map((s) => s / count) as ChannelMean;
}
