import { createGradCamService } from "@cxrlab/core/gradcam";
import { loadModelForInference, type ModelRunOptions, predictImages } from "@cxrlab/core/inference";
import { recordPredictions, type Store } from "@cxrlab/db";

/** An archived image: its row and the file the store recorded for it. */
export interface ArchivedImage {
  id: number;
  location: string;
}

export interface ArchivedImagePrediction {
  imageId: number;
  predictedClass: string;
  confidence: number;
  probabilities: Record<string, number>;
  /** Grad-CAM heatmap of the predicted class, in the Grad-CAM cache. */
  heatmap: string;
}

/**
 * Runs a run's model on archived images, records the predictions under that run (each image's
 * other runs' predictions stay as they are) and caches each image's Grad-CAM of its predicted
 * class under the key the dashboard asks for (`class=predicted`: the worklist, a patient's page),
 * so they show the heatmap without running the model again. `cxrlab predict --patient` and the
 * jobs queued when images arrive (predict-images) both run it.
 */
export async function predictArchivedImages(
  store: Store,
  run: { id: number; modelDir: string },
  images: readonly ArchivedImage[],
  options: Pick<ModelRunOptions, "batchSize" | "onProgress" | "signal"> = {},
): Promise<ArchivedImagePrediction[]> {
  if (!images.length) return [];
  const predicted = await predictImages({
    model: run.modelDir,
    inputs: [...new Set(images.map((i) => i.location))],
    ...options,
  });
  const byPath = new Map(predicted.predictions.map((p) => [p.path, p]));
  const rows = images.map((image) => {
    const p = byPath.get(image.location);
    if (!p) throw new Error(`image ${image.id} (${image.location}) was not predicted`);
    return { image, p };
  });
  await recordPredictions(
    store,
    run.id,
    rows.map(({ image, p }) => ({
      imageId: image.id,
      probabilities: p.probabilities,
      predictedLabel: p.predictedClass,
    })),
  );
  const loaded = await loadModelForInference(run.modelDir);
  const service = await createGradCamService(loaded);
  const results: ArchivedImagePrediction[] = [];
  try {
    for (const [i, { image, p }] of rows.entries()) {
      options.signal?.throwIfAborted();
      const heatmap = await service.png(image.location, { target: "predicted", kind: "heatmap" });
      process.stderr.write(`grad-cam ${i + 1}/${rows.length} image ${image.id}\n`);
      results.push({
        imageId: image.id,
        predictedClass: p.predictedClass,
        confidence: p.confidence,
        probabilities: p.probabilities,
        heatmap: heatmap.path,
      });
    }
  } finally {
    await service.dispose();
    loaded.model.dispose();
  }
  return results;
}
