/** The job runners (what a queued job and its CLI command run) and the helpers they report with. */
export { useBackend } from "../backend.ts";
export { createProgressBar, formatDuration } from "../progress-bar.ts";
export { recordForModelRun, runIdOfModel } from "../record-predictions.ts";
export { type EvaluationRequest, runEvaluation } from "./evaluate.ts";
export { existingDir } from "./existing-dir.ts";
export { type PredictionRequest, runPrediction } from "./predict.ts";
export {
  type ArchivedImage,
  type ArchivedImagePrediction,
  predictArchivedImages,
} from "./predict-images.ts";
export { type RunCreatedAudit, runTraining, type TrainingControl, type TrainRequest } from "./train.ts";
