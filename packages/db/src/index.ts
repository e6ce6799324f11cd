export { defaultDatabaseUrl, type Provider, resolveDatabase } from "./database-url.ts";
export {
  type ImageInput,
  type PredictionInput,
  recordPredictions,
  upsertImage,
} from "./images.ts";
export { type IngestedFile, type IngestOptions, type IngestReport, ingestFiles } from "./ingest-files.ts";
export { parseStudyDate, type SourceFields } from "./ingest-sources.ts";
export { committedMigrations, migrate } from "./migrate.ts";
export {
  type ArchiveImageInput,
  contentStoreFileInUse,
  generatedUid,
  getPatientHistory,
  type HistoryImage,
  type HistoryStudy,
  type IngestInput,
  type IngestResult,
  ingestImage,
  listPatients,
  type PatientHistory,
  type PatientInput,
  type PatientKey,
  type PatientQuery,
  type PatientSummary,
  patientImagesWithoutPrediction,
  type StudyInput,
} from "./patients.ts";
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
  latestRunWithModel,
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
