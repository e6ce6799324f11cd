import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { findImage, imageFileCopies, type Store, type StoredImage } from "@cxrlab/db";
import { HttpError, positiveId } from "./responses.ts";

/** Whether `file` is a file of `bytes` bytes. */
async function hasSize(file: string, bytes: number): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() === true && info.size === bytes;
}

/** Whether `file` holds exactly the content `sha256` names. */
async function hasContent(file: string, sha256: string): Promise<boolean> {
  const bytes = await readFile(file).catch(() => null);
  return bytes !== null && createHash("sha256").update(bytes).digest("hex") === sha256;
}

/**
 * The stored image row for a request, with its file checked: 404 for an unknown id, 410 when the
 * file is no longer at its recorded location (or no longer has its recorded size) and no run
 * recorded another file with the same content. An image row is kept by whoever stored the content
 * first (the archive, a project), and runs of other projects with the same bytes record their own
 * file on their predictions: when the row's file is gone, such a copy, checked byte for byte
 * against the row's SHA-256, is served instead (the returned row's location is then that copy).
 */
export async function storedImageFile(store: Store, imageId: string | number): Promise<StoredImage> {
  const id = positiveId(imageId, "image id");
  const image = await findImage(store, id);
  if (!image) throw new HttpError(404, `image ${id} not found`);
  if (await hasSize(image.location, image.bytes)) return image;
  for (const copy of await imageFileCopies(store, id)) {
    if (
      copy !== image.location &&
      (await hasSize(copy, image.bytes)) &&
      (await hasContent(copy, image.sha256))
    )
      return { ...image, location: copy };
  }
  const info = await stat(image.location).catch(() => null);
  if (!info?.isFile()) throw new HttpError(410, `image ${id}: file gone from ${image.location}`);
  throw new HttpError(
    410,
    `image ${id}: ${image.location} is ${info.size} bytes, ${image.bytes} when recorded (the file changed)`,
  );
}

const SIGNATURES: { type: string; test: (b: Uint8Array) => boolean }[] = [
  { type: "image/png", test: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { type: "image/jpeg", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: "image/gif", test: (b) => ascii(b, 0, 4) === "GIF8" },
  { type: "image/webp", test: (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 12) === "WEBP" },
  { type: "image/bmp", test: (b) => ascii(b, 0, 2) === "BM" },
  { type: "image/tiff", test: (b) => ["II*\0", "MM\0*"].includes(ascii(b, 0, 4)) },
];

const BY_FORMAT: Record<string, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  tiff: "image/tiff",
  avif: "image/avif",
  heif: "image/heif",
};

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The MIME type from the file's magic bytes, else from the recorded format, else octet-stream. */
export function imageContentType(bytes: Uint8Array, recordedFormat: string): string {
  return (
    SIGNATURES.find((s) => s.test(bytes))?.type ??
    BY_FORMAT[recordedFormat.toLowerCase()] ??
    "application/octet-stream"
  );
}
