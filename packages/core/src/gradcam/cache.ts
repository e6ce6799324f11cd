import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { MODEL_JSON, WEIGHTS_BIN } from "../model/io.ts";
import { cacheDir } from "../paths.ts";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../private-files.ts";

/** Where Grad-CAM results are kept: ~/.cache/cxrlab/gradcam, or `$CXRLAB_CACHE/gradcam`. */
export function gradCamCacheDir(): string {
  return path.join(cacheDir(), "gradcam");
}

const fingerprints = new Map<string, { stamp: string; hash: string }>();

/**
 * sha256 of a saved model's topology and weights, so a retrained model in the same folder never
 * serves the old model's maps. Remembered per folder until its files change.
 */
export async function modelFingerprint(modelDir: string): Promise<string> {
  const files = [MODEL_JSON, WEIGHTS_BIN].map((f) => path.join(modelDir, f));
  const stats = await Promise.all(
    files.map((f) =>
      stat(f).catch(() => {
        throw new Error(`cannot fingerprint the model in ${modelDir}: ${f} not found`);
      }),
    ),
  );
  const stamp = stats.map((s) => `${s.size}:${s.mtimeMs}`).join(",");
  const known = fingerprints.get(modelDir);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash("sha256");
  for (const file of files) for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const digest = hash.digest("hex");
  fingerprints.set(modelDir, { stamp, hash: digest });
  return digest;
}

/** Identifies one explanation: which model, which image (content hash), which class. */
export interface GradCamCacheKey {
  modelId: string;
  imageSha256: string;
  /** A class index, or "predicted" for the model's top class. */
  target: number | "predicted";
}

/** The file under `root` for `key` plus a variant, e.g. `heatmap-256.png`. */
export function gradCamCachePath(root: string, key: GradCamCacheKey, variant: string): string {
  const target = key.target === "predicted" ? "predicted" : `class-${key.target}`;
  return path.join(root, key.modelId.slice(0, 16), key.imageSha256.slice(0, 32), `${target}-${variant}`);
}

/**
 * The bytes at `file`, produced and written (atomically) only when absent. Concurrent requests
 * for one file share one production.
 */
export async function cachedFile(
  file: string,
  produce: () => Promise<Buffer | string>,
): Promise<{ data: Buffer; cached: boolean }> {
  const existing = await readFile(file).catch(() => null);
  if (existing) return { data: existing, cached: true };
  let pending = inFlight.get(file);
  if (!pending) {
    pending = (async () => {
      const produced = await produce();
      const data = typeof produced === "string" ? Buffer.from(produced) : produced;
      // Thumbnails and heatmaps show patients' images: 0700 folders, 0600 files.
      await mkdirPrivate(path.dirname(file));
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, data, { mode: PRIVATE_FILE_MODE });
      await rename(partial, file);
      return data;
    })().finally(() => inFlight.delete(file));
    inFlight.set(file, pending);
  }
  return { data: await pending, cached: false };
}

const inFlight = new Map<string, Promise<Buffer>>();
