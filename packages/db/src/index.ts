export { defaultDatabaseUrl, type Provider, resolveDatabase } from "./database-url.ts";
export {
  type ImageInput,
  type PredictionInput,
  recordPredictions,
  upsertImage,
} from "./images.ts";
export { committedMigrations, migrate } from "./migrate.ts";
export {
  findImage,
  getImage,
  type ImageDetail,
  type ImagePrediction,
  listPredictions,
  PREDICTION_SORT_KEYS,
  type PredictionPage,
  type PredictionQuery,
  type PredictionRow,
  type PredictionSortKey,
  type StoredImage,
} from "./predictions.ts";
export {
  type ImagePredictionToRecord,
  recordImagePredictions,
  recordTrainOutcome,
} from "./record-training.ts";
export {
  listRuns,
  RUN_SORT_KEYS,
  type RunFacets,
  type RunPage,
  type RunQuery,
  type RunSortKey,
  type RunSummary,
  runFacets,
} from "./run-list.ts";
export { type RunProgress, type RunProgressUpdate, updateRunProgress } from "./run-progress.ts";
export {
  addRunNote,
  createRun,
  deleteRun,
  FINISHED_STATUSES,
  getRun,
  getRuns,
  type NewRun,
  RUN_STATUSES,
  type RunDetail,
  type RunNoteRecord,
  type RunRecord,
  type RunStatus,
  recordEpoch,
  recordEvaluation,
  runExists,
  runModel,
  type StatusUpdate,
  type StoredEpoch,
  type StoredEvaluation,
  tagRun,
  untagRun,
  updateRunStatus,
} from "./runs.ts";
export { openStore, type Store } from "./store.ts";
