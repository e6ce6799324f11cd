import * as tf from "@tensorflow/tfjs";
import type { ImageRecord } from "../data/index.ts";
import type { Rng } from "../random.ts";
import type { InputLoader } from "./inputs.ts";
import { type Phase, PhaseMeter, type ProgressListener } from "./progress.ts";
import { concatFloat32 } from "./step.ts";

export interface PredictRecordsOptions {
  batchSize: number;
  rng?: Rng;
  phase?: Phase;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** Class probabilities (row-major, records x classes) of `model` in inference mode. */
export async function predictRecords(
  model: tf.LayersModel,
  records: ImageRecord[],
  loader: InputLoader,
  options: PredictRecordsOptions,
): Promise<Float32Array> {
  const meter = new PhaseMeter(options.onProgress, {
    phase: options.phase ?? "predict",
    total: records.length,
  });
  const parts: Float32Array[] = [];
  for await (const batch of loader.batches(records, options.batchSize, options.rng)) {
    const { x, count } = batch;
    options.signal?.throwIfAborted();
    const probs = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
    parts.push((await probs.data()) as Float32Array);
    tf.dispose([x, probs]);
    meter.advance(count);
  }
  return concatFloat32(parts);
}
