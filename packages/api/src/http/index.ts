export { handleAuditExport } from "./audit-export.ts";
export { type Authorized, authorizeImage, authorizeRequest } from "./authorize.ts";
export { handleGradCam } from "./gradcam.ts";
export { type HandlerOptions, handleImage } from "./image.ts";
export { storedImageFile } from "./image-file.ts";
export { isLoopbackHost, publicOrigins } from "./origins.ts";
export { errorResponse, withoutPaths } from "./responses.ts";
export { withoutMetadata } from "./strip-metadata.ts";
export {
  DEFAULT_THUMBNAIL_SIZE,
  handleThumbnail,
  snapThumbnailSize,
  THUMBNAIL_SIZES,
  thumbnailCacheDir,
} from "./thumbnail.ts";
export { handleUpload, type UploadedFile, type UploadOptions, type UploadReport } from "./upload.ts";
