export { queueArrivedPredictions } from "./arrival-predictions.ts";
export { type CancelledRun, cancelAuditEntry, cancelRun } from "./cancel-run.ts";
export { sharedQueue } from "./shared-queue.ts";
