import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { findImage, imageFileCopies, type Store, type StoredImage } from "@cxrlab/db";
import { HttpError, positiveId } from "./responses.ts";

/**
 * The SHA-256 the file at `image.location` must have: the recorded hash, except for a DICOM, whose
 * recorded hash is the original's and whose served PNG rendering is named by its own hash in the
 * content store (`<sha256>.png`). Null when it cannot be known.
 */
function servedSha256(image: StoredImage): string | null {
  if (image.sourceFormat !== "dicom") return image.sha256;
  const match = /^([0-9a-f]{64})\.png$/.exec(path.basename(image.location));
  return match ? match[1]! : null;
}

/** What identifies one version of a file cheaply: a new write changes the size, mtime or ctime (or inode). */
const stampOf = (info: Stats) => `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}:${info.dev}`;

/** Files whose content was hashed and matched, by image and location, with the stamp they had then. */
const verified = new Map<string, string>();
const MAX_VERIFIED = 50_000;

const verifiedKey = (image: StoredImage) => `${image.id}\0${image.location}`;

function remember(image: StoredImage, stamp: string): void {
  const key = verifiedKey(image);
  verified.delete(key);
  verified.set(key, stamp);
  // Map order is insertion order: forget the oldest beyond the bound.
  for (const oldest of verified.keys()) {
    if (verified.size <= MAX_VERIFIED) break;
    verified.delete(oldest);
  }
}

const gone = (image: StoredImage) => new HttpError(410, `image ${image.id}: its file is gone`);
const changed = (image: StoredImage) =>
  new HttpError(410, `image ${image.id}: the file changed since it was recorded; record it again`);

async function imageRow(store: Store, imageId: string | number): Promise<StoredImage> {
  const id = positiveId(imageId, "image id");
  const image = await findImage(store, id);
  if (!image) throw new HttpError(404, `image ${id} not found`);
  return image;
}

/** Checks a file of `image` with stats `info` against the record; `hash` gives its SHA-256 when needed. */
async function checkFile(image: StoredImage, info: Stats | null, hash: () => Promise<string>): Promise<void> {
  if (!info?.isFile()) throw gone(image);
  if (info.size !== image.bytes) {
    verified.delete(verifiedKey(image));
    throw changed(image);
  }
  const stamp = stampOf(info);
  if (verified.get(verifiedKey(image)) === stamp) return;
  // First serve of this version of the file: the content decides, not the size.
  const expected = servedSha256(image);
  if (expected === null || (await hash()) !== expected) {
    verified.delete(verifiedKey(image));
    throw changed(image);
  }
  remember(image, stamp);
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * `read` on the image row's own file, else on the first other file a run recorded for the same
 * content that passes it (an image row is kept by whoever stored the content first; runs of other
 * projects with the same bytes record their own file on their predictions). The returned row's
 * location is the file used. The row's own refusal is thrown when no copy passes.
 */
async function firstReadable<T>(
  store: Store,
  image: StoredImage,
  read: (candidate: StoredImage) => Promise<T>,
): Promise<T> {
  try {
    return await read(image);
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 410) throw err;
    for (const copy of await imageFileCopies(store, image.id)) {
      if (copy === image.location) continue;
      const served = await read({ ...image, location: copy }).catch(() => null);
      if (served !== null) return served;
    }
    throw err;
  }
}

/**
 * The stored image row for a request, with its file checked: 404 for an unknown id, 410 when the
 * file (and every copy a run recorded) is no longer at its recorded location, or its content is no
 * longer what was recorded. The content is hashed on the first use of each version of a file (size,
 * mtime, ctime, inode); later uses of an unchanged file only stat it. Error messages never name the
 * server's paths.
 */
export async function storedImageFile(store: Store, imageId: string | number): Promise<StoredImage> {
  return firstReadable(store, await imageRow(store, imageId), async (image) => {
    const info = await stat(image.location).catch(() => null);
    await checkFile(image, info, () => hashFile(image.location));
    return image;
  });
}

/**
 * The stored image row and its file's bytes, checked as storedImageFile does, on the bytes read: the
 * file is stat-ed through the handle that reads it, before and after, so a file replaced meanwhile is
 * refused rather than served under the recorded hash.
 */
export async function readStoredImage(
  store: Store,
  imageId: string | number,
): Promise<{ image: StoredImage; bytes: Buffer }> {
  return firstReadable(store, await imageRow(store, imageId), readChecked);
}

async function readChecked(image: StoredImage): Promise<{ image: StoredImage; bytes: Buffer }> {
  const handle = await open(image.location, "r").catch(() => null);
  if (!handle) throw gone(image);
  try {
    const before = await handle.stat();
    if (!before.isFile()) throw gone(image);
    if (before.size !== image.bytes) throw changed(image);
    const bytes = await handle.readFile();
    const after = await handle.stat();
    if (stampOf(after) !== stampOf(before) || bytes.length !== image.bytes) throw changed(image);
    await checkFile(image, before, async () => createHash("sha256").update(bytes).digest("hex"));
    return { image, bytes };
  } finally {
    await handle.close();
  }
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
