export { type ImageScope, imageScope, patientProjectId, runProjectId } from "./access-scope.ts";
export {
  API_TOKEN_PREFIX,
  type ApiTokenRecord,
  apiTokenPrefix,
  authenticateApiToken,
  type CreatedApiToken,
  createApiToken,
  DEFAULT_API_TOKEN_DAYS,
  listApiTokens,
  MAX_API_TOKEN_DAYS,
  revokeAllApiTokens,
  revokeApiToken,
} from "./api-tokens.ts";
export {
  AUDIT_EXPORT_FORMATS,
  type AuditEventInput,
  type AuditEventRecord,
  type AuditExportFormat,
  type AuditFilters,
  type AuditPage,
  type AuditPaging,
  appendAuditEvent,
  exportAuditEvents,
  listAuditEvents,
} from "./audit.ts";
export { putContent, type StoredContent, sha256Of } from "./content-store.ts";
export { defaultDatabaseUrl, type Provider, resolveDatabase } from "./database-url.ts";
export {
  createDatasetVersion,
  type DatasetCreation,
  type DatasetRecipe,
  DatasetRefused,
  type DatasetVersionDetail,
  type DatasetVersionSummary,
  datasetCreatedEvent,
  datasetVersionById,
  describeExcluded,
  findDatasetVersion,
  listDatasetVersions,
  type NewDatasetVersion,
} from "./datasets.ts";
/** The SQLite queue's row (the generated Prisma client itself stays private). */
export type { Job as JobRow } from "./generated/sqlite/client.ts";
export {
  archivedSopInstanceUids,
  type ImageInput,
  imagesWithoutPrediction,
  type PredictionInput,
  recordPredictions,
  upsertImage,
} from "./images.ts";
export {
  type DemographicsOf,
  demographicEvents,
  discardUnused,
  type IngestContent,
  type IngestedFile,
  type IngestOptions,
  type IngestReport,
  ingestContents,
  ingestFiles,
  type RejectedFile,
  type RejectionKind,
} from "./ingest-files.ts";
export { parseStudyDate, type SourceFields } from "./ingest-sources.ts";
export {
  ensureProject,
  findOrCreateProject,
  listAllProjects,
  listProjects,
  MembershipError,
  type ProjectMember,
  type ProjectWithRole,
  projectMembers,
  removeMember,
  setMember,
  setUserDisabled,
} from "./memberships.ts";
export { committedMigrations, migrate } from "./migrate.ts";
export {
  defaultModelRunIds,
  type PromotionHistoryEntry,
  type PromotionRecord,
  PromotionRefused,
  projectDefaultModel,
  promoteRun,
  promotionHistory,
} from "./model-promotions.ts";
export {
  COUNTING_RULE,
  type MonitoringOptions,
  type MonitoringWindow,
  type ProjectMonitoring,
  projectMonitoring,
  type ReaderDisagreement,
  type RunMonitoring,
  runMonitoring,
} from "./monitoring.ts";
export {
  addPacsSource,
  advancePacsWatermark,
  listPacsSources,
  openPacsSecret,
  type PacsAuthKind,
  type PacsSourceInput,
  type PacsSourceRecord,
  PacsSourceRefused,
  removePacsSource,
  requirePacsSource,
} from "./pacs-sources.ts";
export {
  type ArchiveImageInput,
  contentStoreFileInUse,
  type DemographicConflict,
  type DemographicField,
  type DemographicFill,
  generatedUid,
  getPatientHistory,
  type HistoryImage,
  type HistoryStudy,
  type IngestInput,
  type IngestResult,
  ingestImage,
  listPatients,
  onePatient,
  type PatientHistory,
  type PatientInput,
  type PatientKey,
  type PatientQuery,
  type PatientSummary,
  patientImagesWithoutPrediction,
  type StudyInput,
} from "./patients.ts";
export {
  ComparisonRefused,
  compareRunPredictions,
  type PairedRun,
  type PredictionPair,
  type PredictionPairs,
  pairRunPredictions,
  type RunComparison,
} from "./prediction-pairs.ts";
export {
  findImage,
  getImage,
  type ImageDetail,
  imageFileCopies,
  listPredictions,
  PREDICTION_SORT_KEYS,
  type PredictionPage,
  type PredictionQuery,
  type PredictionRow,
  type PredictionSortKey,
  type RunPrediction,
  type StoredImage,
} from "./predictions.ts";
export {
  type ImagePredictionToRecord,
  recordImagePredictions,
  recordTrainOutcome,
} from "./record-training.ts";
export { retryWhenBusy } from "./retry.ts";
export {
  listProjectReviews,
  type ProjectReview,
  predictionReviewProject,
  type ReviewInput,
  type ReviewOutcome,
  type ReviewRecord,
  ReviewRefused,
  reviewsCsv,
  submitReview,
  WORKLIST_STATUSES,
  type Worklist,
  type WorklistItem,
  type WorklistQuery,
  type WorklistStatus,
  worklist,
} from "./reviews.ts";
export {
  addComment,
  CommentRefused,
  listComments,
  type MentionRecord,
  mentionsOf,
  type RunCommentRecord,
} from "./run-comments.ts";
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
export { isStarred, runStarState, type StarState, starRun, starredRunIds, unstarRun } from "./run-stars.ts";
export {
  addRunNote,
  createRun,
  DEFAULT_PROJECT,
  deleteRun,
  getRun,
  getRuns,
  latestRunWithModel,
  type NewRun,
  type RunDetail,
  type RunNoteRecord,
  type RunRecord,
  recordEpoch,
  recordEvaluation,
  runModel,
  type StatusUpdate,
  type StoredEpoch,
  type StoredEvaluation,
  tagRun,
  untagRun,
  updateRunStatus,
} from "./runs.ts";
export { openStore, type Store } from "./store.ts";
export { listUsers, type UserSummary } from "./user-list.ts";
export type { UserRef } from "./user-ref.ts";
export { codeVersion, describeStore, withStore } from "./with-store.ts";
