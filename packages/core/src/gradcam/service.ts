import * as tf from "@tensorflow/tfjs";
import { sha256File } from "../data/file-info.ts";
import { createForwardEngine, type ForwardEngine } from "../inference/engine.ts";
import type { ModelForInference } from "../inference/load.ts";
import {
  cachedFile,
  type GradCamCacheKey,
  gradCamCacheDir,
  gradCamCachePath,
  modelFingerprint,
} from "./cache.ts";
import { type GradCam, gradCamFromActivations } from "./compute.ts";
import { heatmapPng, overlayPngForFile } from "./render.ts";
import { type GradCamModel, splitForGradCam } from "./split.ts";

/** What is cached per (model, image, class): the small map and the scores, not the channel weights. */
export type StoredGradCam = Omit<GradCam, "channelWeights">;

export interface GradCamPngRequest {
  /** A class index, or the model's top class. */
  target: number | "predicted";
  /** `heatmap`: transparent colour map alone; `overlay`: blended over the X-ray. */
  kind: "heatmap" | "overlay";
  /** Square side in pixels (default: the model's input size). */
  size?: number;
  /** Overlay only (default 0.5). */
  opacity?: number;
}

export interface GradCamPngFile {
  /** The PNG in the cache folder. */
  path: string;
  png: Buffer;
  classIndex: number;
  className: string;
  probability: number;
  /** True when served from the cache. */
  cached: boolean;
}

/** Grad-CAM for one loaded model, with results cached on disk across calls and processes. */
export interface GradCamService {
  readonly modelId: string;
  readonly classNames: readonly string[];
  explain(image: string, target: number | "predicted"): Promise<StoredGradCam>;
  png(image: string, request: GradCamPngRequest): Promise<GradCamPngFile>;
  /** Frees the backbone's forward engine (not the model, which belongs to the caller). */
  dispose(): Promise<void>;
}

export async function createGradCamService(
  loaded: ModelForInference,
  options: { cacheDir?: string } = {},
): Promise<GradCamService> {
  const root = options.cacheDir ?? gradCamCacheDir();
  const modelId = await modelFingerprint(loaded.modelDir);
  const { classNames, imageSize, preprocessing } = loaded.meta;
  let split: GradCamModel | undefined;
  let backbone: Promise<ForwardEngine> | undefined;

  const compute = async (image: string, target: number | "predicted"): Promise<StoredGradCam> => {
    split ??= splitForGradCam(loaded.model);
    // Only the head needs gradients: the backbone's forward pass (nearly all the cost) runs on the
    // fastest engine present, onnxruntime when it loads.
    backbone ??= createForwardEngine(split.backbone);
    const { head } = split;
    const pixels = await loaded.loader.load({ path: image, label: -1, className: "" });
    const x = tf.tensor4d(pixels, [1, imageSize, imageSize, 3]);
    const values = await (await backbone).run(x).finally(() => x.dispose());
    const activations = tf.tensor4d(values, [1, ...head.activationShape]);
    const [cam] = await gradCamFromActivations(
      head,
      activations,
      target === "predicted" ? target : [target],
    ).finally(() => activations.dispose());
    const { channelWeights: _, ...stored } = cam!;
    return stored;
  };

  const explainKeyed = async (key: GradCamCacheKey, image: string): Promise<StoredGradCam> => {
    const file = gradCamCachePath(root, key, "gradcam.json");
    const { data } = await cachedFile(file, async () =>
      JSON.stringify(toJson(await compute(image, key.target))),
    );
    return fromJson(data.toString("utf8"), file);
  };

  const keyFor = async (image: string, target: number | "predicted"): Promise<GradCamCacheKey> => {
    if (target !== "predicted" && !(Number.isInteger(target) && target >= 0 && target < classNames.length)) {
      throw new Error(
        `class index ${target} is not in 0..${classNames.length - 1} (${classNames.join(", ")})`,
      );
    }
    const imageSha256 = await sha256File(image).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        `cannot read image ${image}: ${err.code === "ENOENT" ? "file not found" : err.message}`,
      );
    });
    return { modelId, imageSha256, target };
  };

  return {
    modelId,
    classNames,
    explain: async (image, target) => explainKeyed(await keyFor(image, target), image),
    png: async (image, request) => {
      const size = request.size ?? imageSize;
      const opacity = request.opacity ?? 0.5;
      const key = await keyFor(image, request.target);
      const cam = await explainKeyed(key, image);
      // PNGs are keyed by the class explained, so "predicted" and its index share files.
      const pngKey = { ...key, target: cam.classIndex };
      const variant = request.kind === "heatmap" ? `heatmap-${size}.png` : `overlay-${size}-${opacity}.png`;
      const file = gradCamCachePath(root, pngKey, variant);
      const { data, cached } = await cachedFile(file, () =>
        request.kind === "heatmap"
          ? heatmapPng(cam, size, size)
          : overlayPngForFile(cam, image, { size, resize: preprocessing.resize, opacity }),
      );
      return {
        path: file,
        png: data,
        classIndex: cam.classIndex,
        className: classNames[cam.classIndex]!,
        probability: cam.probability,
        cached,
      };
    },
    dispose: async () => {
      if (backbone) await (await backbone).dispose();
    },
  };
}

function toJson(cam: StoredGradCam) {
  return { ...cam, heatmap: Array.from(cam.heatmap), probabilities: Array.from(cam.probabilities) };
}

function fromJson(text: string, file: string): StoredGradCam {
  try {
    const raw = JSON.parse(text) as ReturnType<typeof toJson>;
    return {
      ...raw,
      heatmap: Float32Array.from(raw.heatmap),
      probabilities: Float32Array.from(raw.probabilities),
    };
  } catch (err) {
    throw new Error(
      `Grad-CAM cache file ${file} is not valid JSON (delete it to recompute): ${(err as Error).message}`,
    );
  }
}
