import sharp from "sharp";

/**
 * An image's pixels without the metadata its file carries (EXIF, XMP, IPTC, PNG text chunks,
 * comments, timestamps), for roles that may see the image but not who it is of: a scanner or a
 * sidecar tool writes patient names, IDs and dates there.
 *
 * - PNG: the file's chunks are copied except the ancillary ones not on a short list of rendering
 *   chunks (palette transparency, gamma, colour space and ICC profile, pixel size): the compressed
 *   pixel data is the original's, byte for byte.
 * - JPEG: the file's segments are copied except APP1 (EXIF, XMP), every other application segment
 *   but JFIF (APP0), the ICC profile (APP2 `ICC_PROFILE`) and Adobe's colour transform (APP14), and
 *   comments; the entropy-coded scans are copied unchanged, so nothing is re-encoded and nothing is
 *   lost (re-encoding a JPEG would lose detail a second time). Bytes after the end marker are dropped.
 * - An image whose EXIF orientation is not upright, and any other format (BMP, TIFF, WebP, GIF…), is
 *   decoded, turned upright and written as a PNG: lossless for the decoded pixels, and displayed as
 *   the original was (dropping an orientation tag alone would turn the picture).
 */
export async function withoutMetadata(
  bytes: Buffer,
  contentType: string,
): Promise<{ bytes: Buffer; contentType: string }> {
  if (contentType === "image/png" || contentType === "image/jpeg") {
    const { orientation } = await sharp(bytes).metadata();
    if (!orientation || orientation === 1) {
      return { bytes: contentType === "image/png" ? stripPng(bytes) : stripJpeg(bytes), contentType };
    }
  }
  const png = await sharp(bytes).rotate().png().toBuffer();
  return { bytes: png, contentType: "image/png" };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Ancillary PNG chunks that say how to render the pixels; every other ancillary chunk is dropped. */
const PNG_RENDERING_CHUNKS = new Set([
  "tRNS",
  "gAMA",
  "cHRM",
  "sRGB",
  "iCCP",
  "sBIT",
  "bKGD",
  "pHYs",
  "cICP",
  "mDCV",
  "cLLI",
]);

/** The PNG with only its critical chunks and rendering chunks; throws on a malformed file. */
export function stripPng(bytes: Buffer): Buffer {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error("not a PNG");
  const kept: Buffer[] = [bytes.subarray(0, 8)];
  let offset = 8;
  let dropped = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error("truncated PNG chunk");
    const length = bytes.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) throw new Error("truncated PNG chunk");
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    // A critical chunk (upper-case first letter) is needed to decode the image.
    const critical = type.charCodeAt(0) >= 0x41 && type.charCodeAt(0) <= 0x5a;
    if (critical || PNG_RENDERING_CHUNKS.has(type)) kept.push(bytes.subarray(offset, end));
    else dropped = true;
    offset = end;
    if (type === "IEND") {
      dropped ||= offset < bytes.length;
      break;
    }
  }
  return dropped ? Buffer.concat(kept) : bytes;
}

const SOS = 0xda;
const EOI = 0xd9;
const COM = 0xfe;

/** Whether a JPEG segment with `marker` and `payload` stays (see withoutMetadata). */
function keepJpegSegment(marker: number, payload: Buffer): boolean {
  if (marker === COM) return false;
  if (marker < 0xe0 || marker > 0xef) return true;
  const id = payload.toString("latin1", 0, 12);
  if (marker === 0xe0) return id.startsWith("JFIF\0");
  if (marker === 0xe2) return id === "ICC_PROFILE\0";
  if (marker === 0xee) return id.startsWith("Adobe");
  return false;
}

/** The JPEG without its metadata segments, its compressed data untouched; throws on a malformed file. */
export function stripJpeg(bytes: Buffer): Buffer {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error("not a JPEG");
  const kept: Buffer[] = [bytes.subarray(0, 2)];
  let offset = 2;
  let dropped = false;
  for (;;) {
    if (offset >= bytes.length) throw new Error("JPEG ends without an end marker");
    if (bytes[offset] !== 0xff) throw new Error("malformed JPEG: expected a marker");
    let at = offset + 1;
    while (bytes[at] === 0xff) at += 1; // fill bytes
    const marker = bytes[at]!;
    const afterMarker = at + 1;
    if (marker === EOI) {
      kept.push(bytes.subarray(offset, afterMarker));
      dropped ||= afterMarker < bytes.length;
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      kept.push(bytes.subarray(offset, afterMarker));
      offset = afterMarker;
      continue;
    }
    if (afterMarker + 2 > bytes.length) throw new Error("truncated JPEG segment");
    const end = afterMarker + bytes.readUInt16BE(afterMarker);
    if (end > bytes.length || end < afterMarker + 2) throw new Error("truncated JPEG segment");
    if (keepJpegSegment(marker, bytes.subarray(afterMarker + 2, end))) kept.push(bytes.subarray(offset, end));
    else dropped = true;
    offset = end;
    if (marker === SOS) {
      // Entropy-coded data runs to the next marker other than a stuffed 0xFF00 or a restart marker.
      let scan = offset;
      while (scan < bytes.length) {
        if (bytes[scan] === 0xff) {
          const next = bytes[scan + 1];
          if (next === 0x00 || (next !== undefined && next >= 0xd0 && next <= 0xd7)) {
            scan += 2;
            continue;
          }
          if (next === 0xff) {
            scan += 1;
            continue;
          }
          break;
        }
        scan += 1;
      }
      kept.push(bytes.subarray(offset, scan));
      offset = scan;
    }
  }
  return dropped ? Buffer.concat(kept) : bytes;
}
