import { readEnv } from "./env.ts";

/** How much input CXR Lab takes in at once: the one place these limits are set. */
export interface InputLimits {
  /** Largest single uploaded file, in bytes. */
  fileBytes: number;
  /** Largest upload request body (all files and fields), in bytes. */
  requestBytes: number;
  /**
   * Most pixels an image may declare in its header (PNG/JPEG size, DICOM Rows × Columns), checked
   * before decoding: a few KB of compressed zeros can declare gigabytes of pixels.
   */
  pixels: number;
  /**
   * Uploads a server takes in at once: each holds its request in memory (up to requestBytes, and
   * about twice that while it is parsed), so this bounds an upload burst's memory.
   */
  concurrentUploads: number;
}

const MIB = 1024 * 1024;

/**
 * Uncompressed 16-bit DICOM chest X-rays run to ~40 MB (4300 × 4300 pixels), so a file limit of 64 MiB
 * and 50 megapixels leave room for every real radiograph while refusing memory bombs.
 */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  fileBytes: 64 * MIB,
  requestBytes: 256 * MIB,
  pixels: 50_000_000,
  concurrentUploads: 2,
};

/**
 * The limits from CXRLAB_UPLOAD_MAX_BYTES, CXRLAB_UPLOAD_MAX_REQUEST_BYTES, CXRLAB_MAX_IMAGE_PIXELS
 * and CXRLAB_UPLOAD_CONCURRENCY, else the defaults.
 */
export function inputLimits(): InputLimits {
  const env = readEnv();
  return {
    fileBytes: env.CXRLAB_UPLOAD_MAX_BYTES ?? DEFAULT_INPUT_LIMITS.fileBytes,
    requestBytes: env.CXRLAB_UPLOAD_MAX_REQUEST_BYTES ?? DEFAULT_INPUT_LIMITS.requestBytes,
    pixels: env.CXRLAB_MAX_IMAGE_PIXELS ?? DEFAULT_INPUT_LIMITS.pixels,
    concurrentUploads: env.CXRLAB_UPLOAD_CONCURRENCY ?? DEFAULT_INPUT_LIMITS.concurrentUploads,
  };
}

/** "12.5 MB"-style size for messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** An image whose header declares more pixels than the limit; thrown before any pixel is decoded. */
export class TooManyPixelsError extends Error {
  constructor(
    readonly file: string,
    readonly width: number,
    readonly height: number,
    readonly limit: number,
  ) {
    super(
      `${file}: ${width}×${height} = ${(width * height).toLocaleString("en-US")} pixels, more than the limit of ` +
        `${limit.toLocaleString("en-US")} (CXRLAB_MAX_IMAGE_PIXELS); not decoded`,
    );
    this.name = "TooManyPixelsError";
  }
}

/** Throws TooManyPixelsError when a `width`×`height` image exceeds `limit` pixels. */
export function checkPixels(file: string, width: number, height: number, limit: number): void {
  if (width * height > limit) throw new TooManyPixelsError(file, width, height, limit);
}
