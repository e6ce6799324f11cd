export { handleGradCam } from "./gradcam.ts";
export { type HandlerOptions, handleImage } from "./image.ts";
export { DEFAULT_THUMBNAIL_SIZE, handleThumbnail, thumbnailCacheDir } from "./thumbnail.ts";
