import type { Store } from "@cxrlab/db";
import { sharedStore } from "../context.ts";
import { authorizeImage } from "./authorize.ts";
import { imageContentType, readStoredImage } from "./image-file.ts";
import { bytesResponse, errorResponse, matchesEtag, notModified, positiveId } from "./responses.ts";
import { withoutMetadata } from "./strip-metadata.ts";

export interface HandlerOptions {
  /** Default: the process-wide store. */
  store?: Store;
}

/**
 * GET /api/images/{imageId}: the original file; ETag is the content hash. Only a viewer with patient
 * access (patients:read in the patient's project; for an image of no archived patient, in the project
 * it is seen through) gets the file as recorded; everyone else gets its pixels without the file's metadata (EXIF, XMP, PNG text…; see withoutMetadata), under
 * an ETag of its own. The file's content is checked against the recorded hash (readStoredImage).
 */
export async function handleImage(
  request: Request,
  params: { imageId: string | number },
  options: HandlerOptions = {},
): Promise<Response> {
  try {
    const store = options.store ?? (await sharedStore());
    const imageId = positiveId(params.imageId, "image id");
    const { patientAccess } = await authorizeImage(request, store, "http.image", imageId);
    const { image, bytes } = await readStoredImage(store, imageId);
    const contentType = imageContentType(bytes, image.format);
    const served = patientAccess ? { bytes, contentType } : await withoutMetadata(bytes, contentType);
    // The recorded bytes keep the content hash as their ETag; another representation gets its own.
    const etag = served.bytes.equals(bytes) ? `"${image.sha256}"` : `"${image.sha256}-nometa"`;
    if (matchesEtag(request, etag)) return notModified(etag);
    return bytesResponse(request, etag, served.contentType, served.bytes);
  } catch (err) {
    return errorResponse(err);
  }
}
