export { type CancelledRun, CancelRefused, cancelRun } from "./cancel-run.ts";
export { type QueuedRun, type QueueRunRequest, queueRun } from "./queue-run.ts";
export { sharedQueue } from "./shared-queue.ts";
