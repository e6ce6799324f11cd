export {
  cachedFile,
  type GradCamCacheKey,
  gradCamCacheDir,
  gradCamCachePath,
  modelFingerprint,
} from "./cache.ts";
export { type GradCam, type GradCamTarget, gradCam, gradCamFromActivations } from "./compute.ts";
export {
  type HeatmapGrid,
  heatmapPng,
  jet,
  type OverlayFileOptions,
  overlayPng,
  overlayPngForFile,
  type RgbPixels,
  upsampleHeatmap,
} from "./render.ts";
export {
  createGradCamService,
  type GradCamPngFile,
  type GradCamPngRequest,
  type GradCamService,
  type StoredGradCam,
} from "./service.ts";
export { GRADCAM_LAYER, type GradCamHead, type GradCamModel, splitForGradCam } from "./split.ts";
