import { readFile } from "node:fs/promises";
import sharp from "sharp";
import type { ResizeMethod } from "../config.ts";
import { decodeBmp, isBmp, type RgbImage } from "./bmp.ts";
import { resizeBilinear, resizeNearest } from "./resize.ts";

/** A file that could not be read or decoded as an image. */
export class ImageDecodeError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot decode image ${path}: ${reason}`, options);
    this.name = "ImageDecodeError";
    this.path = path;
    this.reason = reason;
  }
}

export interface DecodeOptions {
  /** Output is imageSize x imageSize (Keras `target_size`, aspect ratio not kept). */
  imageSize: number;
  resize: ResizeMethod;
}

/**
 * Stored RGB samples at the stored size: alpha dropped without compositing and grey expanded
 * to three channels (Pillow's `convert("RGB")`); embedded ICC profiles are not applied
 * (Pillow does not apply them either). Truncated or corrupt data fails; libpng/libjpeg
 * warnings (such as a known-incorrect sRGB profile) do not, as in Pillow.
 */
async function readRgb(bytes: Buffer): Promise<RgbImage> {
  if (isBmp(bytes)) return decodeBmp(bytes);
  const { depth } = await sharp(bytes, { failOn: "error" }).metadata();
  const sixteen = depth === "ushort";
  const { data, info } = await sharp(bytes, { failOn: "error", ignoreIcc: true })
    .removeAlpha()
    .toColourspace(sixteen ? "rgb16" : "srgb")
    .raw({ depth: sixteen ? "ushort" : "uchar" })
    .toBuffer({ resolveWithObject: true });
  return { data: sixteen ? toUint16(data) : data, width: info.width, height: info.height };
}

function toUint16(buf: Buffer): Uint16Array {
  return new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * Decodes an image file (PNG 8/16-bit, JPEG, TIFF, BMP; grey, grey+alpha, RGB, RGBA, palette)
 * to imageSize x imageSize x 3 raw RGB values in 0..255. 16-bit samples map to `v / 257`, the
 * exact inverse of 8-to-16-bit expansion (65535 -> 255); Pillow itself keeps the high byte
 * of 16-bit RGB and clips 16-bit grey. Both resize methods reproduce Pillow's (which Keras uses).
 * Throws `ImageDecodeError` naming the file when it cannot be read or decoded.
 */
export async function decodeImage(file: string, opts: DecodeOptions): Promise<Float32Array> {
  const size = opts.imageSize;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`imageSize must be a positive integer, got ${size}`);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : `cannot read the file (${(err as Error).message})`;
    throw new ImageDecodeError(file, reason, { cause: err });
  }
  if (bytes.length === 0) throw new ImageDecodeError(file, "the file is empty");
  let pixels: Float32Array;
  try {
    const { data, width, height } = await readRgb(bytes);
    const resize = opts.resize === "nearest" ? resizeNearest : resizeBilinear;
    pixels = resize(data, width, height, size, size);
    if (data instanceof Uint16Array) {
      for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i] as number) / 257;
    }
  } catch (err) {
    throw new ImageDecodeError(file, (err as Error).message, { cause: err });
  }
  return pixels;
}
