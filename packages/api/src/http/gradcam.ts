import path from "node:path";
import { cachedFile, modelFingerprint } from "@cxrlab/core/gradcam";
import { resolveModelDir } from "@cxrlab/core/inference";
import { runModel } from "@cxrlab/db";
import sharp from "sharp";
import { sharedStore } from "../context.ts";
import { authorizeImage } from "./authorize.ts";
import { withGradCamService } from "./gradcam-models.ts";
import type { HandlerOptions } from "./image.ts";
import { storedImageFile } from "./image-file.ts";
import {
  bytesResponse,
  errorResponse,
  HttpError,
  matchesEtag,
  notModified,
  positiveId,
} from "./responses.ts";

/** Longest side of a served heatmap; larger images get one stretched by the browser. */
const MAX_SIDE = 1024;

/**
 * GET /api/gradcam/{runId}/{imageId}?class=NAME|predicted: the run's model's Grad-CAM for the
 * image as a transparent heatmap PNG at the image's size (colour = heat, alpha = heat), to lay
 * over the image. Computed on first request, then served from core's Grad-CAM disk cache.
 * X-GradCam-Class / X-GradCam-Probability say which class was explained and its probability.
 */
export async function handleGradCam(
  request: Request,
  params: { runId: string | number; imageId: string | number },
  options: HandlerOptions & { cacheDir?: string } = {},
): Promise<Response> {
  try {
    const runId = positiveId(params.runId, "run id");
    const store = options.store ?? (await sharedStore());
    const imageId = positiveId(params.imageId, "image id");
    const { access } = await authorizeImage(request, store, "http.gradcam", imageId);
    const run = await runModel(store, runId);
    if (!run) throw new HttpError(404, `run ${runId} not found`);
    access.require(run.projectId);
    if (!run.modelLocation) throw new HttpError(404, `run ${runId} (${run.name}) has no saved model`);
    const image = await storedImageFile(store, imageId);
    let modelDir: string;
    try {
      modelDir = resolveModelDir(run.modelLocation);
    } catch {
      // resolveModelDir's message names the server's folders: say what is wrong without them.
      throw new HttpError(410, `run ${runId}: no trained model where it was saved (its files are gone)`);
    }
    const fingerprint = await modelFingerprint(modelDir);
    const requested = new URL(request.url).searchParams.get("class") || "predicted";
    const width = Math.min(image.width, MAX_SIDE);
    const height = Math.min(image.height, MAX_SIDE);
    const etag = `"gradcam-${fingerprint.slice(0, 16)}-${image.sha256.slice(0, 16)}-${encodeURIComponent(requested)}-${width}x${height}"`;
    if (matchesEtag(request, etag)) return notModified(etag);

    const heatmap = await withGradCamService(
      modelDir,
      fingerprint,
      async (service) => {
        const index = service.classNames.indexOf(requested);
        if (requested !== "predicted" && index < 0) {
          throw new HttpError(
            400,
            `class "${requested}" is not one of run ${runId}'s classes: ${service.classNames.join(", ")} (or "predicted")`,
          );
        }
        const target = requested === "predicted" ? "predicted" : index;
        const square = await service.png(image.location, {
          target,
          kind: "heatmap",
          size: Math.max(width, height),
        });
        if (width === height) return square;
        // The network saw the image stretched to a square; stretch the map back to the image's shape.
        const file = path.join(
          path.dirname(square.path),
          `${path.basename(square.path, ".png")}-${width}x${height}.png`,
        );
        const { data } = await cachedFile(file, () =>
          sharp(square.png).resize(width, height, { fit: "fill" }).png().toBuffer(),
        );
        return { ...square, png: data };
      },
      options.cacheDir,
    );
    return bytesResponse(request, etag, "image/png", heatmap.png, {
      "X-GradCam-Class": encodeURIComponent(heatmap.className),
      "X-GradCam-Probability": heatmap.probability.toFixed(6),
    });
  } catch (err) {
    return errorResponse(err);
  }
}
