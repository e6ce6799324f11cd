import * as tf from "@tensorflow/tfjs";
import type { ImageRecord } from "../data/index.ts";
import { type ForwardEngine, tfjsEngine } from "../inference/engine.ts";
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
  model: tf.LayersModel | ForwardEngine,
  records: ImageRecord[],
  loader: InputLoader,
  options: PredictRecordsOptions,
): Promise<Float32Array> {
  const meter = new PhaseMeter(options.onProgress, {
    phase: options.phase ?? "predict",
    total: records.length,
  });
  const engine = model instanceof tf.LayersModel ? tfjsEngine(model) : model;
  const parts: Float32Array[] = [];
  for await (const batch of loader.batches(records, options.batchSize, options.rng)) {
    const { x, count } = batch;
    try {
      options.signal?.throwIfAborted();
      parts.push(await engine.run(x));
    } finally {
      x.dispose();
    }
    meter.advance(count);
  }
  return concatFloat32(parts);
}
