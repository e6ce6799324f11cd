import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import sharp from "sharp";
import { ImageDecodeError } from "./decode.ts";

export interface ImageFileInfo {
  path: string;
  sha256: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Content hash, format and size of an image file, for the experiment store. */
export async function imageFileInfo(file: string): Promise<ImageFileInfo> {
  const [sha256, meta, info] = await Promise.all([
    sha256File(file),
    sharp(file)
      .metadata()
      .catch((err: Error) => {
        throw new ImageDecodeError(file, err.message);
      }),
    stat(file),
  ]);
  return {
    path: file,
    sha256,
    format: meta.format ?? "unknown",
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    bytes: info.size,
  };
}

/** Format and size from an image's header, without decoding a pixel (throws naming `file`). */
export async function imageHeader(
  bytes: Uint8Array,
  file: string,
): Promise<{ format: string; width: number; height: number }> {
  // metadata() reads the header only; sharp's own pixel limit would hide the size behind a bare
  // "exceeds pixel limit", and callers check the size against theirs (core's limits.ts).
  const meta = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch((err: Error) => {
      throw new ImageDecodeError(file, err.message);
    });
  if (!meta.width || !meta.height) throw new ImageDecodeError(file, "no image size in its header");
  return { format: meta.format ?? "unknown", width: meta.width, height: meta.height };
}

/**
 * A fingerprint of a labelled image set: the sha256 of its sorted "hash class" lines, so the same
 * images with the same labels give the same fingerprint wherever the files live.
 */
export async function datasetFingerprint(
  records: readonly { path: string; className: string }[],
): Promise<string> {
  const lines: string[] = [];
  for (const r of records) lines.push(`${await sha256File(r.path)} ${r.className}`);
  return createHash("sha256").update(lines.sort().join("\n")).digest("hex");
}
