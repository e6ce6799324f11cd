export {
  type ApplyWeightsOptions,
  type ApplyWeightsSummary,
  applyImageNetWeights,
  isHeadLayer,
} from "./apply.ts";
export { readKerasH5Weights, writeKerasH5Weights } from "./keras-h5.ts";
export { loadWeightSource, weightsCacheDir } from "./source.ts";
export { readTfjsLayersWeights } from "./tfjs-layers.ts";
export { type MissingTensor, WeightMap, type WeightTensor, weightMapFromModel } from "./weight-map.ts";
