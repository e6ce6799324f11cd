import { existsSync } from "node:fs";
import path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { loadModel, type ModelMeta } from "../model/io.ts";
import { createInputLoader, type InputLoader } from "../train/inputs.ts";

export interface ModelForInference {
  model: tf.LayersModel;
  meta: ModelMeta;
  loader: InputLoader;
  modelDir: string;
}

/** Accepts a run folder (uses its `model/`) or a model folder itself. */
export function resolveModelDir(location: string): string {
  const inRun = path.join(location, "model");
  if (existsSync(path.join(inRun, "model.json"))) return inRun;
  if (existsSync(path.join(location, "model.json"))) return location;
  throw new Error(`no trained model in ${location}: expected ${inRun}/model.json or ${location}/model.json`);
}

export async function loadModelForInference(location: string): Promise<ModelForInference> {
  const modelDir = resolveModelDir(location);
  const { model, meta } = await loadModel(modelDir);
  const loader = createInputLoader({
    preprocessing: meta.preprocessing,
    augmentation: meta.config.augmentation,
    ...(meta.featurewiseMean ? { featurewiseMean: meta.featurewiseMean } : {}),
  });
  return { model, meta, loader, modelDir };
}
