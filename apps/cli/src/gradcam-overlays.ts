import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createGradCamService } from "@cxrlab/core/gradcam";
import type { FilePrediction } from "@cxrlab/core/inference";
import { loadModelForInference } from "@cxrlab/core/inference";

/**
 * Writes a Grad-CAM overlay of each image's predicted class into `dir` as
 * `<image name>.<class>.gradcam.png`; returns image path -> overlay path. Maps come from (and
 * go to) the Grad-CAM cache, so repeating a prediction does not recompute them.
 */
export async function writeGradCamOverlays(
  modelDir: string,
  predictions: FilePrediction[],
  dir: string,
): Promise<Map<string, string>> {
  const loaded = await loadModelForInference(modelDir);
  const service = await createGradCamService(loaded);
  const out = path.resolve(dir);
  await mkdir(out, { recursive: true });
  const written = new Map<string, string>();
  const taken = new Set<string>();
  try {
    for (const [i, p] of predictions.entries()) {
      const overlay = await service.png(p.path, { target: p.predicted, kind: "overlay" });
      const file = path.join(out, uniqueName(p, taken));
      await writeFile(file, overlay.png);
      written.set(p.path, file);
      process.stderr.write(`grad-cam ${i + 1}/${predictions.length} ${file}\n`);
    }
  } finally {
    await service.dispose();
    loaded.model.dispose();
  }
  return written;
}

/** Images of the same name from different folders get -2, -3, … */
function uniqueName(p: FilePrediction, taken: Set<string>): string {
  const stem = path.basename(p.path, path.extname(p.path));
  const slug = p.predictedClass.replace(/[^A-Za-z0-9_-]+/g, "-");
  let name = `${stem}.${slug}.gradcam.png`;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.${slug}.gradcam.png`;
  taken.add(name);
  return name;
}
