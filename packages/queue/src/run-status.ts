import { type Store, updateRunStatus } from "@cxrlab/db";
import type { Job } from "./jobs.ts";
import type { JobState } from "./queue.ts";

/**
 * Shows a training run's place in the queue after a failed attempt: `queued` again, with the
 * error, while its job waits for a retry; `failed`, with the error, once the job is dead.
 * Evaluation and prediction jobs use a finished run's model: that run's status is not theirs.
 */
export async function markRunAfterFailedAttempt(
  store: Store,
  job: Job,
  state: JobState | null,
  message: string,
): Promise<void> {
  if (job.kind !== "train") return;
  if (state === "retry") {
    await updateRunStatus(store, job.runId, "queued", { message: `waiting for a retry after: ${message}` });
  } else if (state === "failed") {
    await updateRunStatus(store, job.runId, "failed", { message });
  }
}
