/*
 * The queue without its job runners: engines, job schemas and the worker loop, light enough for
 * the dashboard's server bundle. The worker that runs jobs (training, evaluation, prediction) is
 * `@cxrlab/queue/worker`; the runners themselves are `@cxrlab/queue/runners`.
 */
export {
  type ArrivalPredictions,
  type ArrivedImage,
  arrivalAuditEvents,
  describeArrivalPredictions,
  type QueuedArrivalJob,
  queueArrivalPredictions,
} from "./arrival.ts";
export { confineQueuedJob } from "./job-paths.ts";
export {
  type EvaluateJob,
  evaluateJobSchema,
  type Job,
  type JobKind,
  jobSchema,
  oneTrainingSource,
  type PredictImagesJob,
  type PredictJob,
  parseJob,
  predictImagesJobSchema,
  predictJobSchema,
  type TrainJob,
  type TrainJobOptions,
  trainingOverrides,
  trainJobOptionsSchema,
  trainJobSchema,
} from "./jobs.ts";
export { openQueue, type QueueOptions } from "./open-queue.ts";
export {
  type ClaimedJob,
  DEFAULT_POLICY,
  errorMessage,
  type JobFilter,
  type JobQueue,
  type JobState,
  openPostgresQueue,
  QUEUE_NAME,
  type QueuedJob,
  type QueuePolicy,
} from "./queue.ts";
export { markRunAfterFailedAttempt } from "./run-status.ts";
export { openSqliteQueue } from "./sqlite-queue.ts";
export {
  type JobContext,
  type JobRunner,
  runWorker,
  type WorkerOptions,
  type WorkerSummary,
} from "./worker.ts";
