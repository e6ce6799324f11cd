import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import {
  architectureSchema,
  experimentConfigSchema,
  freezeUntilSchema,
  preprocessingSchema,
} from "../config.ts";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";
export const META_JSON = "cxrlab-model.json";

export const modelMetaSchema = z.object({
  format: z.literal(1),
  architecture: architectureSchema,
  imageSize: z.number().int().positive(),
  classNames: z.array(z.string().min(1)).min(1),
  preprocessing: preprocessingSchema,
  /** Per-channel mean subtracted under `featurewise` normalization. */
  featurewiseMean: z.array(z.number()).length(3).optional(),
  freezeUntil: freezeUntilSchema,
  /** The calibration temperature already folded into the output layer (training.calibration). */
  temperature: z.number().positive().optional(),
  config: experimentConfigSchema,
  createdAt: z.iso.datetime(),
  backend: z.string().min(1),
});
export type ModelMeta = z.infer<typeof modelMetaSchema>;

export type SaveModelMeta = Omit<ModelMeta, "format" | "createdAt" | "backend" | "featurewiseMean"> & {
  featurewiseMean?: ArrayLike<number>;
  /** Defaults to now. */
  createdAt?: string;
  /** Defaults to the active tfjs backend. */
  backend?: string;
};

/**
 * Saves `model` to `dir` in the TF.js layers format (model.json + weights.bin) with
 * cxrlab-model.json beside it. The metadata file is written last, so a folder whose save was
 * interrupted is not taken for a model.
 */
export async function saveModel(dir: string, model: tf.LayersModel, meta: SaveModelMeta): Promise<ModelMeta> {
  const full = modelMetaSchema.parse({
    ...meta,
    format: 1,
    featurewiseMean: meta.featurewiseMean ? Array.from(meta.featurewiseMean) : undefined,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    backend: meta.backend ?? tf.getBackend(),
  });
  checkModelMatchesMeta(model, full, dir);
  mkdirSync(dir, { recursive: true });
  await model.save(dirSaveHandler(dir));
  writeAtomically(path.join(dir, META_JSON), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

/** Loads a model saved by saveModel, with its validated metadata. */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; meta: ModelMeta }> {
  if (!existsSync(dir)) throw new Error(`model folder not found: ${dir}`);
  const metaFile = path.join(dir, META_JSON);
  if (!existsSync(metaFile)) throw new Error(`${dir} is not a CXR Lab model folder: it has no ${META_JSON}`);
  const parsed = modelMetaSchema.safeParse(readJson(metaFile));
  if (!parsed.success)
    throw new Error(`${metaFile} is not valid CXR Lab model metadata:\n${z.prettifyError(parsed.error)}`);
  const model = await tf.loadLayersModel(dirLoadHandler(dir));
  checkModelMatchesMeta(model, parsed.data, dir);
  return { model, meta: parsed.data };
}

function checkModelMatchesMeta(model: tf.LayersModel, meta: ModelMeta, dir: string): void {
  const input = model.inputs[0]?.shape;
  const output = model.outputs[0]?.shape;
  if (input?.[1] !== meta.imageSize || input?.[2] !== meta.imageSize) {
    throw new Error(
      `${dir}: model input ${JSON.stringify(input)} does not match imageSize ${meta.imageSize}`,
    );
  }
  if (output?.[output.length - 1] !== meta.classNames.length) {
    throw new Error(
      `${dir}: model output ${JSON.stringify(output)} does not match ${meta.classNames.length} classes`,
    );
  }
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new Error(`${file} not found`);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

/** Writes model.json and one weights.bin with node:fs (tfjs' `file://` handler needs tfjs-node). */
function dirSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new Error("cannot save a binary model topology");
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      writeAtomically(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeAtomically(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Reads a folder written by dirSaveHandler (or any TF.js layers model whose shards are local). */
function dirLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const modelJson = readJson(path.join(dir, MODEL_JSON)) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const files = manifest.flatMap((group) => group.paths.map((p) => path.join(dir, p)));
        const buffers = files.map((file) => {
          if (!existsSync(file)) throw new Error(`weights file missing: ${file}`);
          const bytes = readFileSync(file);
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        });
        const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
        const found = buffers.reduce((n, b) => n + b.byteLength, 0);
        if (found !== expected) {
          throw new Error(`weights in ${dir} hold ${found} bytes, ${MODEL_JSON} needs ${expected}`);
        }
        return [specs, buffers];
      });
    },
  };
}
