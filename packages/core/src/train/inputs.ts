import * as tf from "@tensorflow/tfjs";
import type { AugmentationConfig, PreprocessingConfig } from "../config.ts";
import {
  augmentImage,
  type ChannelMean,
  decodeImage,
  type ImageRecord,
  normalizePixels,
  streamBatches,
} from "../data/index.ts";
import type { Rng } from "../random.ts";
import { PhaseMeter, type ProgressListener } from "./progress.ts";

export interface InputBatch {
  x: tf.Tensor4D;
  labels: Int32Array;
  /** Index of the batch's first record in the list passed to `batches`. */
  start: number;
  count: number;
}

/** Turns image files into model input: decode, resize, optional augmentation, normalisation. */
export interface InputLoader {
  readonly imageSize: number;
  load(record: ImageRecord, rng?: Rng): Promise<Float32Array>;
  /**
   * Batches in record order, the next batch's images decoding (on libuv's threads) while the
   * current one is computed. Augmented when `rng` is given.
   */
  batches(records: ImageRecord[], batchSize: number, rng?: Rng): AsyncGenerator<InputBatch>;
}

export interface InputLoaderOptions {
  preprocessing: PreprocessingConfig;
  augmentation: AugmentationConfig;
  featurewiseMean?: ChannelMean | readonly number[];
}

export function createInputLoader(options: InputLoaderOptions): InputLoader {
  const { preprocessing, augmentation, featurewiseMean } = options;
  const size = preprocessing.imageSize;

  const load = async (record: ImageRecord, rng?: Rng) => {
    let pixels = await decodeImage(record.path, { imageSize: size, resize: preprocessing.resize });
    if (rng) pixels = augmentImage(pixels, size, augmentation, rng);
    return normalizePixels(pixels, preprocessing, featurewiseMean as ChannelMean | undefined);
  };

  async function* batches(records: ImageRecord[], batchSize: number, rng?: Rng): AsyncGenerator<InputBatch> {
    // Per-image streams forked in order, so augmentation does not depend on decode timing.
    const rngs = new Map(records.map((r) => [r, rng?.fork()]));
    let start = 0;
    const stream = streamBatches(records, {
      batchSize,
      concurrency: batchSize,
      load: (r) => load(r, rngs.get(r)),
    });
    for await (const b of stream) {
      yield { x: tf.tensor4d(b.x, [b.size, size, size, 3]), labels: b.labels, start, count: b.size };
      start += b.size;
    }
  }

  return { imageSize: size, load, batches };
}

export interface CheckResult {
  good: ImageRecord[];
  bad: { path: string; reason: string }[];
}

/**
 * Decodes every image once before any training, so a corrupt file stops the run at the start with
 * its path and reason, or (`skipBad`) is left out and listed in the run's report.
 */
export async function checkImages(
  records: ImageRecord[],
  loader: InputLoader,
  options: { skipBad: boolean; onProgress?: ProgressListener; concurrency?: number; signal?: AbortSignal },
): Promise<CheckResult> {
  const meter = new PhaseMeter(options.onProgress, { phase: "check", total: records.length });
  const ok = new Array<boolean>(records.length).fill(false);
  const bad: CheckResult["bad"] = [];
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < records.length) {
      options.signal?.throwIfAborted();
      const i = nextIndex++;
      const record = records[i]!;
      try {
        await loader.load(record);
        ok[i] = true;
      } catch (err) {
        const reason = (err as Error).message;
        if (!options.skipBad) throw new Error(`${reason}\n(use --skip-bad to leave unreadable images out)`);
        bad.push({ path: record.path, reason });
      }
      meter.advance(1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { good: records.filter((_, i) => ok[i]), bad };
}
