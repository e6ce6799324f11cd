import path from "node:path";
import { cachedFile } from "@cxrlab/core/gradcam";
import { cacheDir } from "@cxrlab/core/paths";
import sharp from "sharp";
import { sharedStore } from "../context.ts";
import { authorizeImage } from "./authorize.ts";
import type { HandlerOptions } from "./image.ts";
import { storedImageFile } from "./image-file.ts";
import { cachedResponse, errorResponse, HttpError, positiveId } from "./responses.ts";

export const DEFAULT_THUMBNAIL_SIZE = 160;
/**
 * The only sizes made (and cached, forever, per image): the dashboard asks for 160; a few others for
 * clients that want smaller or larger. A size asked for snaps up to the next one (the largest above
 * it), so a client cannot fill the disk with a thumbnail per image and pixel size.
 */
export const THUMBNAIL_SIZES = [64, DEFAULT_THUMBNAIL_SIZE, 320, 640] as const;
const MIN_SIZE = 16;
const MAX_SIZE = 1024;

/** Where thumbnails are kept: `<cacheDir>/thumbnails`, one JPEG per content hash and size. */
export function thumbnailCacheDir(): string {
  return path.join(cacheDir(), "thumbnails");
}

/** The fixed size that serves a request for `size`: the smallest at least as large, else the largest. */
export function snapThumbnailSize(size: number): number {
  return THUMBNAIL_SIZES.find((fixed) => fixed >= size) ?? THUMBNAIL_SIZES.at(-1)!;
}

function thumbnailSize(request: Request): number {
  const raw = new URL(request.url).searchParams.get("size");
  if (raw === null) return DEFAULT_THUMBNAIL_SIZE;
  const size = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(size >= MIN_SIZE && size <= MAX_SIZE)) {
    throw new HttpError(400, `size must be an integer in ${MIN_SIZE}..${MAX_SIZE}, got "${raw}"`);
  }
  return snapThumbnailSize(size);
}

/**
 * GET /api/images/{imageId}/thumbnail?size=N: a JPEG whose longer side is N (default 160; N in
 * 16..1024 snaps up to one of THUMBNAIL_SIZES; never enlarged), made once per image and size and
 * then read from the disk cache.
 */
export async function handleThumbnail(
  request: Request,
  params: { imageId: string | number },
  options: HandlerOptions & { cacheDir?: string } = {},
): Promise<Response> {
  try {
    const size = thumbnailSize(request);
    const store = options.store ?? (await sharedStore());
    const imageId = positiveId(params.imageId, "image id");
    await authorizeImage(request, store, "http.thumbnail", imageId);
    const image = await storedImageFile(store, imageId);
    const file = path.join(
      options.cacheDir ?? thumbnailCacheDir(),
      image.sha256.slice(0, 2),
      `${image.sha256}-${size}.jpg`,
    );
    return await cachedResponse(request, `"${image.sha256}-${size}"`, "image/jpeg", async () => {
      const { data } = await cachedFile(file, () =>
        sharp(image.location)
          .resize(size, size, { fit: "inside", withoutEnlargement: true })
          .jpeg({ quality: 82 })
          .toBuffer(),
      );
      return data;
    });
  } catch (err) {
    return errorResponse(err);
  }
}
