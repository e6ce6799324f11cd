export {
  adjustIntensity,
  affineImage,
  augmentImage,
  augmentsImages,
  flipHorizontal,
  randomZoom,
  zoomImage,
} from "./augment.ts";
export { type Batch, type BatchStream, type StreamBatchesOptions, streamBatches } from "./batches.ts";
export { decodeBmp, isBmp, type RgbImage } from "./bmp.ts";
export { parseCsv } from "./csv.ts";
export {
  entryFileName,
  type LocatedDatasetEntry,
  MANIFEST_FILE,
  PATIENTS_FILE,
  requireEmptyFolder,
  verifyDatasetFiles,
  writeDatasetFolder,
} from "./dataset-folder.ts";
export {
  classFolderProblem,
  DATASET_SOURCES,
  type DatasetManifestEntry,
  type DatasetSource,
  datasetManifestFingerprint,
  labelFromReviews,
  REVIEW_EXCLUSIONS,
  type ReviewExclusion,
} from "./dataset-manifest.ts";
export { type DecodeOptions, decodeImage, ImageDecodeError } from "./decode.ts";
export {
  IMAGE_EXTENSIONS,
  type ImageDirectory,
  type ImageRecord,
  isImageFile,
  type ListImageDirectoryOptions,
  listImageDirectory,
  listImageFiles,
  type SkippedFile,
} from "./directory.ts";
export {
  datasetFingerprint,
  type ImageFileInfo,
  imageFileInfo,
  imageHeader,
  sha256File,
} from "./file-info.ts";
export {
  findImageGroups,
  GROUPS_FILE,
  groupingForImages,
  type ImageGroups,
  imageGrouping,
  readImageGroups,
} from "./image-groups.ts";
export {
  type ChannelMean,
  type FitFeaturewiseMeanOptions,
  fitFeaturewiseMean,
  IMAGENET_MEAN,
  IMAGENET_STD,
  normalizePixels,
} from "./normalize.ts";
export { readPatientIds } from "./patient-ids.ts";
export { pilNearestIndices, resizeBilinear, resizeNearest } from "./resize.ts";
export { groupedStratifiedSplit, kerasValidationSplit, type Split, stratifiedSplit } from "./split.ts";
export {
  describeSplitGrouping,
  resolveSplitGroups,
  type SplitGrouping,
  type SplitGroups,
} from "./split-groups.ts";
