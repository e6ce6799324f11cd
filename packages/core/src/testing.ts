/**
 * Test fixtures, for tests only (`@cxrlab/core/testing`): the class names every test shares, a
 * small ImageNet DenseNet with a seeded head and real X-rays (Grad-CAM, model tests), and DICOM
 * files built to order.
 */
export {
  buildDicom,
  DEFAULT_ATTRIBUTES,
  rleFrame,
  type TestDicom,
  TRANSFER_SYNTAX,
} from "./dicom/test-dicom.ts";
export {
  CLASS_NAMES,
  imagenetDenseNet,
  sampleXrays,
  testConfig,
  testModelMeta,
} from "./gradcam/test-model.ts";
