export { defaultDatabaseUrl, type Provider, resolveDatabase } from "./database-url.ts";
export {
  type ImageInput,
  type PredictionInput,
  recordPredictions,
  upsertImage,
} from "./images.ts";
export { committedMigrations, migrate } from "./migrate.ts";
export {
  type ImagePredictionToRecord,
  recordImagePredictions,
  recordTrainOutcome,
} from "./record-training.ts";
export {
  addRunNote,
  createRun,
  deleteRun,
  getRun,
  listRuns,
  type NewRun,
  RUN_STATUSES,
  type RunDetail,
  type RunFilter,
  type RunRecord,
  type RunStatus,
  recordEpoch,
  recordEvaluation,
  type StatusUpdate,
  type StoredEpoch,
  type StoredEvaluation,
  tagRun,
  updateRunStatus,
} from "./runs.ts";
export { openStore, type Store } from "./store.ts";
