import { readFile, stat } from "node:fs/promises";
import dicomParser from "dicom-parser";
import sharp from "sharp";
import { listImageDirectory } from "../data/directory.ts";
import { runTrainingFolder } from "../run/training-folder.ts";
import { HISTOGRAM_BINS, type InputStats } from "./drift.ts";

/** An image as monitoring reads it: the file the model reads, and the ingested original if kept. */
export interface InputImage {
  /** The file the model reads (for DICOM: the 8-bit PNG rendered at ingest). */
  file: string;
  /** The ingested original ("dicom" | "png" | "jpeg") and where it is, when the archive kept it. */
  sourceFormat?: string | null;
  sourceFile?: string | null;
}

// The histogram is taken on the image scaled to this square: the grey-level shares hardly change.
const HISTOGRAM_SIDE = 128;
const CACHE_LIMIT = 50_000;
const cache = new Map<string, InputStats>();

const SHARP_DEPTH_BITS: Record<string, number> = {
  uchar: 8,
  char: 8,
  ushort: 16,
  short: 16,
  uint: 32,
  int: 32,
  float: 32,
};

async function greyHistogram(file: string): Promise<number[]> {
  const { data, info } = await sharp(file)
    .greyscale()
    .resize(HISTOGRAM_SIDE, HISTOGRAM_SIDE, { fit: "fill" })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const pixels = info.width * info.height;
  // Greyscale output has one channel, or two with alpha: the first is the grey level.
  for (let p = 0; p < pixels; p++) counts[(data[p * info.channels]! * HISTOGRAM_BINS) >> 8]! += 1 / pixels;
  return counts;
}

/** BitsStored and Modality of a DICOM original, read from its header (pixel data not parsed). */
function dicomHeader(bytes: Uint8Array, file: string): { bitsStored: number; modality: string } {
  try {
    const ds = dicomParser.parseDicom(bytes, { untilTag: "x7fe00010" });
    return { bitsStored: ds.uint16("x00280101") ?? 0, modality: ds.string("x00080060")?.trim() || "?" };
  } catch (error) {
    throw new Error(`${file}: not a readable DICOM header (${(error as Error).message ?? error})`);
  }
}

/**
 * Size, bit depth, source and grey-level histogram of an image; an error naming the file when it
 * cannot be read. Cached by file, size and modification time.
 */
export async function inputStats(image: InputImage): Promise<InputStats> {
  const info = await stat(image.file).catch((error: Error) => {
    throw new Error(`${image.file}: cannot read it (${error.message})`);
  });
  const key = `${image.file}\0${info.size}\0${info.mtimeMs}\0${image.sourceFile ?? ""}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const meta = await sharp(image.file)
    .metadata()
    .catch((error: Error) => {
      throw new Error(`${image.file}: not a readable image (${error.message})`);
    });
  let bitDepth = SHARP_DEPTH_BITS[meta.depth ?? "uchar"] ?? 8;
  let source = (image.sourceFormat ?? meta.format ?? "unknown").toUpperCase();
  if (image.sourceFormat === "dicom" && image.sourceFile) {
    const header = dicomHeader(await readFile(image.sourceFile), image.sourceFile);
    bitDepth = header.bitsStored || bitDepth;
    source = `DICOM ${header.modality}`;
  }
  const stats: InputStats = {
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    bitDepth,
    source,
    histogram: await greyHistogram(image.file),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, stats);
  return stats;
}

/** The statistics of many images, a few at a time. */
export async function inputStatsOf(images: readonly InputImage[], concurrency = 4): Promise<InputStats[]> {
  const out = new Array<InputStats>(images.length);
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const i = next++;
      out[i] = await inputStats(images[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, images.length) }, worker));
  return out;
}

/** At most this many training images are read for the reference statistics, spread over the folder. */
export const REFERENCE_SAMPLE = 400;

/**
 * The reference statistics of a training folder (class sub-folders, as training reads it): up to
 * REFERENCE_SAMPLE of its images, evenly spaced through the listing so every class is represented.
 */
export async function trainingInputStats(folder: string, sample = REFERENCE_SAMPLE): Promise<InputStats[]> {
  const { records } = await listImageDirectory(folder);
  const step = Math.max(1, records.length / sample);
  const picked: InputImage[] = [];
  for (let i = 0; i < records.length && picked.length < sample; i += step)
    picked.push({ file: records[Math.floor(i)]!.path });
  return inputStatsOf(picked);
}

/**
 * The reference statistics of the images a run's model was trained on, from the training folder
 * its run folder recorded (inputs.json beside the model); null, with why, when there is none.
 */
export async function modelTrainingInputStats(
  modelDir: string,
): Promise<{ stats: InputStats[] } | { stats: null; reason: string }> {
  const folder = runTrainingFolder(modelDir);
  if (!folder) return { stats: null, reason: "the run folder names no training folder (inputs.json)" };
  const stats = await trainingInputStats(folder).catch((error: Error) => error);
  if (stats instanceof Error)
    return { stats: null, reason: `its training folder cannot be read: ${stats.message}` };
  if (stats.length === 0) return { stats: null, reason: "its training folder holds no image" };
  return { stats };
}
