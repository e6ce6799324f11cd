import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cacheDir } from "../paths.ts";
import { mkdirPrivateSync, PRIVATE_FILE_MODE } from "../private-files.ts";
import { readKerasH5Weights } from "./keras-h5.ts";
import { modelJsonPath, readModelJson, readTfjsLayersWeights } from "./tfjs-layers.ts";
import type { WeightMap } from "./weight-map.ts";

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Where downloaded weights are kept: ~/.cache/cxrlab/weights, or `$CXRLAB_CACHE/weights`. */
export function weightsCacheDir(): string {
  return path.join(cacheDir(), "weights");
}

/**
 * Weights from a TF.js layers model (its directory or model.json), a Keras .h5 file, or an
 * http(s) URL to either (downloaded once into weightsCacheDir()).
 */
export async function loadWeightSource(source: string): Promise<WeightMap> {
  const local = /^https?:\/\//i.test(source) ? await download(source) : source;
  if (!existsSync(local)) throw new Error(`weight source not found: ${source}`);
  const format = detectFormat(local);
  if (format === "h5") return readKerasH5Weights(local);
  if (format === "tfjs") return readTfjsLayersWeights(local);
  throw new Error(
    `unknown weight format: ${source} (expected a TF.js model directory, a model.json, or a Keras .h5 file)`,
  );
}

function detectFormat(file: string): "h5" | "tfjs" | null {
  if (statSync(file).isDirectory()) return existsSync(path.join(file, "model.json")) ? "tfjs" : null;
  const head = Buffer.alloc(HDF5_SIGNATURE.length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.equals(HDF5_SIGNATURE)) return "h5";
  return head.toString("utf8").trimStart().startsWith("{") ? "tfjs" : null;
}

/** Downloads `url` (and, for a model.json, every shard it lists) into the cache; returns the local path. */
async function download(url: string): Promise<string> {
  const dir = path.join(weightsCacheDir(), createHash("sha256").update(url).digest("hex").slice(0, 16));
  const name = path.posix.basename(new URL(url).pathname) || "weights";
  const local = path.join(dir, name);
  await fetchToFile(url, local, true);
  if (detectFormat(local) === "tfjs") {
    const { weightsManifest } = readModelJson(modelJsonPath(local));
    for (const p of weightsManifest.flatMap((g) => g.paths)) {
      const shard = path.join(dir, p);
      if (path.relative(dir, shard).startsWith(".."))
        throw new Error(`${url}: shard path ${p} leaves its folder`);
      // A shard that is not on the server is left out and reported by the reader as missing.
      await fetchToFile(new URL(p, url).href, shard, false);
    }
  }
  return local;
}

async function fetchToFile(url: string, file: string, required: boolean): Promise<void> {
  if (existsSync(file)) return;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`cannot download ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    if (required) throw new Error(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
    return;
  }
  mkdirPrivateSync(path.dirname(file));
  const partial = `${file}.partial`;
  writeFileSync(partial, Buffer.from(await response.arrayBuffer()), { mode: PRIVATE_FILE_MODE });
  renameSync(partial, file);
}
