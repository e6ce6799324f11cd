import { stat } from "node:fs/promises";
import { type ImageRecord, listImageFiles } from "../data/index.ts";
import { loadModelForInference } from "./load.ts";
import { type ModelRun, type ModelRunOptions, runLoadedModel } from "./run-model.ts";

/** A model's prediction for one image file (distinct from db's RunPrediction, a stored run's). */
export interface FilePrediction {
  path: string;
  /** The true label's index when known (images from a labelled folder). */
  label: number | null;
  predicted: number;
  predictedClass: string;
  confidence: number;
  probabilities: Record<string, number>;
}

export function toImagePredictions(
  records: { path: string; label?: number }[],
  probs: Float32Array,
  classNames: string[],
): FilePrediction[] {
  const k = classNames.length;
  return records.map((r, i) => {
    const p = Array.from(probs.subarray(i * k, (i + 1) * k));
    const predicted = p.reduce((best, v, j) => (v > p[best]! ? j : best), 0);
    return {
      path: r.path,
      label: r.label ?? null,
      predicted,
      predictedClass: classNames[predicted]!,
      confidence: p[predicted]!,
      probabilities: Object.fromEntries(classNames.map((c, j) => [c, p[j]!])),
    };
  });
}

export interface PredictOptions extends ModelRunOptions {
  model: string;
  /** Image files, or folders whose images are all predicted. */
  inputs: string[];
}

export interface PredictResult extends ModelRun {
  predictions: FilePrediction[];
}

export async function predictImages(options: PredictOptions): Promise<PredictResult> {
  const paths: string[] = [];
  for (const input of options.inputs) {
    const info = await stat(input).catch(() => {
      throw new Error(`image not found: ${input}`);
    });
    paths.push(...(info.isDirectory() ? await listImageFiles(input) : [input]));
  }
  if (paths.length === 0) throw new Error(`no images found in ${options.inputs.join(", ")}`);
  const loaded = await loadModelForInference(options.model);
  const records: ImageRecord[] = paths.map((p) => ({ path: p, label: -1, className: "" }));
  const { records: good, probabilities, ...run } = await runLoadedModel(loaded, records, options, "predict");
  const unlabeled = good.map((r) => ({ path: r.path }));
  return { ...run, predictions: toImagePredictions(unlabeled, probabilities, run.classNames) };
}
