export {
  type Job,
  jobSchema,
  parseJob,
  type TrainJob,
  type TrainJobOptions,
  trainJobSchema,
} from "./jobs.ts";
export {
  type ClaimedJob,
  DEFAULT_POLICY,
  type JobQueue,
  type JobState,
  openPostgresQueue,
  openQueue,
  QUEUE_NAME,
  type QueuedJob,
  type QueuePolicy,
} from "./queue.ts";
export {
  type JobContext,
  type JobRunner,
  runWorker,
  type WorkerOptions,
  type WorkerSummary,
} from "./worker.ts";
