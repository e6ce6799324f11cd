import * as tf from "@tensorflow/tfjs";
import type { AugmentationConfig, PreprocessingConfig } from "../config.ts";
import {
  augmentImage,
  type ChannelMean,
  decodeImage,
  type ImageRecord,
  normalizePixels,
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
   * Batches in record order. Each yielded promise's images were already being decoded (on libuv's
   * threads) while the previous batch was computed. Augmented when `rng` is given.
   */
  batches(records: ImageRecord[], batchSize: number, rng?: Rng): Generator<Promise<InputBatch>>;
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

  const loadBatch = async (records: ImageRecord[], start: number, rngs: (Rng | undefined)[]) => {
    const images = await Promise.all(records.map((r, i) => load(r, rngs[i])));
    const x = new Float32Array(records.length * size * size * 3);
    for (const [i, img] of images.entries()) x.set(img, i * img.length);
    const labels = Int32Array.from(records, (r) => r.label);
    return { x: tf.tensor4d(x, [records.length, size, size, 3]), labels, start, count: records.length };
  };

  function* batches(records: ImageRecord[], batchSize: number, rng?: Rng): Generator<Promise<InputBatch>> {
    const starts: number[] = [];
    for (let s = 0; s < records.length; s += batchSize) starts.push(s);
    const begin = (s: number) => {
      const slice = records.slice(s, s + batchSize);
      // Per-image streams forked in order, so augmentation does not depend on decode timing.
      const p = loadBatch(
        slice,
        s,
        slice.map(() => rng?.fork()),
      );
      p.catch(() => {}); // awaited by the consumer; this only keeps an early rejection from crashing Node
      return p;
    };
    let next = starts.length > 0 ? begin(starts[0]!) : null;
    for (let i = 0; i < starts.length; i++) {
      const current = next!;
      next = i + 1 < starts.length ? begin(starts[i + 1]!) : null;
      yield current;
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
  options: { skipBad: boolean; onProgress?: ProgressListener; concurrency?: number },
): Promise<CheckResult> {
  const meter = new PhaseMeter(options.onProgress, { phase: "check", total: records.length });
  const ok = new Array<boolean>(records.length).fill(false);
  const bad: CheckResult["bad"] = [];
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < records.length) {
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
