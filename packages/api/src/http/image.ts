import { readFile } from "node:fs/promises";
import type { Store } from "@cxrlab/db";
import { sharedStore } from "../context.ts";
import { authorizeImage } from "./authorize.ts";
import { imageContentType, storedImageFile } from "./image-file.ts";
import { cachedResponse, errorResponse, positiveId } from "./responses.ts";

export interface HandlerOptions {
  /** Default: the process-wide store. */
  store?: Store;
}

/** GET /api/images/{imageId}: the original file's bytes; ETag is the content hash. */
export async function handleImage(
  request: Request,
  params: { imageId: string | number },
  options: HandlerOptions = {},
): Promise<Response> {
  try {
    const store = options.store ?? (await sharedStore());
    const imageId = positiveId(params.imageId, "image id");
    await authorizeImage(request, store, "http.image", imageId);
    const image = await storedImageFile(store, imageId);
    const bytes = await readFile(image.location);
    return await cachedResponse(
      request,
      `"${image.sha256}"`,
      imageContentType(bytes, image.format),
      async () => bytes,
    );
  } catch (err) {
    return errorResponse(err);
  }
}
