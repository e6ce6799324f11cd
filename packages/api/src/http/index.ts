export { handleAuditExport } from "./audit-export.ts";
export { type Authorized, authorizeImage, authorizeRequest } from "./authorize.ts";
export { handleGradCam } from "./gradcam.ts";
export { type HandlerOptions, handleImage } from "./image.ts";
export {
  DEFAULT_THUMBNAIL_SIZE,
  handleThumbnail,
  snapThumbnailSize,
  THUMBNAIL_SIZES,
  thumbnailCacheDir,
} from "./thumbnail.ts";
export { handleUpload, type UploadedFile, type UploadOptions, type UploadReport } from "./upload.ts";
