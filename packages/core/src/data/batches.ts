import { createRng, shuffleInPlace } from "../random.ts";
import { ImageDecodeError } from "./decode.ts";
import type { SkippedFile } from "./directory.ts";

export interface Batch<T> {
  /** `size` images, each H*W*3 values, back to back. */
  x: Float32Array;
  labels: Int32Array;
  records: T[];
  size: number;
}

export interface StreamBatchesOptions<T> {
  batchSize: number;
  /** Seeded shuffle of the record order before batching (default false). */
  shuffle?: boolean;
  seed?: number;
  /** Drop a last, partial batch (Keras `steps_per_epoch = samples // batch_size`). */
  dropRemainder?: boolean;
  /** Turns a record into model-ready pixels (decode, augment, normalise). */
  load: (record: T) => Promise<Float32Array>;
  /** Skip records whose load throws `ImageDecodeError` (listed in `skipped`) instead of failing. */
  skipBad?: boolean;
  /** Records loading at once; also how far loading runs ahead of the consumer (default 4). */
  concurrency?: number;
}

/** An async generator of batches that also lists the files skipped so far. */
export type BatchStream<T> = AsyncGenerator<Batch<T>, void, undefined> & { readonly skipped: SkippedFile[] };

type Loaded<T> = { record: T; ok: true; pixels: Float32Array } | { record: T; ok: false; error: unknown };

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

/**
 * Streams records as batches, loading a bounded number of records ahead so that memory stays
 * flat however large the set. Batches come in record (or shuffled) order whatever the timing of
 * the loads; a batch is filled from later records when some are skipped.
 */
export function streamBatches<T extends { path: string; label: number }>(
  records: readonly T[],
  opts: StreamBatchesOptions<T>,
): BatchStream<T> {
  const { batchSize, load, concurrency = 4 } = opts;
  assertPositiveInteger("batchSize", batchSize);
  assertPositiveInteger("concurrency", concurrency);
  const skipped: SkippedFile[] = [];

  async function* generate(): AsyncGenerator<Batch<T>, void, undefined> {
    const order = [...records];
    if (opts.shuffle) shuffleInPlace(order, createRng(opts.seed ?? 0));
    const queue: Promise<Loaded<T>>[] = [];
    let next = 0;
    const fill = () => {
      while (queue.length < concurrency && next < order.length) {
        const record = order[next++] as T;
        queue.push(
          load(record).then(
            (pixels): Loaded<T> => ({ record, ok: true, pixels }),
            (error: unknown): Loaded<T> => ({ record, ok: false, error }),
          ),
        );
      }
    };

    let perImage = 0;
    let x: Float32Array | undefined;
    let batchRecords: T[] = [];
    const take = (full: Float32Array): Batch<T> => {
      const size = batchRecords.length;
      const batch = {
        x: size === batchSize ? full : full.slice(0, size * perImage),
        labels: Int32Array.from(batchRecords, (r) => r.label),
        records: batchRecords,
        size,
      };
      x = undefined;
      batchRecords = [];
      return batch;
    };

    fill();
    while (queue.length > 0) {
      const item = await (queue.shift() as Promise<Loaded<T>>);
      fill();
      if (!item.ok) {
        const { error, record } = item;
        if (error instanceof ImageDecodeError) {
          if (!opts.skipBad) throw error;
          skipped.push({ path: record.path, reason: error.reason });
          continue;
        }
        throw new Error(`Loading ${record.path} failed: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
        });
      }
      if (perImage === 0) perImage = item.pixels.length;
      if (item.pixels.length !== perImage) {
        throw new Error(
          `Loading ${item.record.path} gave ${item.pixels.length} values, but earlier images gave ${perImage}`,
        );
      }
      x ??= new Float32Array(batchSize * perImage);
      x.set(item.pixels, batchRecords.length * perImage);
      batchRecords.push(item.record);
      if (batchRecords.length === batchSize) yield take(x);
    }
    if (x && !opts.dropRemainder) yield take(x);
  }

  return Object.assign(generate(), { skipped });
}
