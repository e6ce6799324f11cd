export type { CalibrationMethod } from "../onnx/calibrate.ts";
export { type EvaluateOptions, type EvaluateResult, evaluateModel } from "./evaluate.ts";
export {
  type Int8Check,
  MAX_ACCURACY_DROP,
  MIN_AGREEMENT,
  PRECISIONS,
  type PrecisionRequest,
  type QuantizeOptions,
  type QuantizeResult,
  quantizeModel,
} from "./int8.ts";
export { loadModelForInference, type ModelForInference, resolveModelDir } from "./load.ts";
export { type FilePrediction, type PredictOptions, type PredictResult, predictImages } from "./predict.ts";
export type { ModelRun, ModelRunOptions } from "./run-model.ts";
