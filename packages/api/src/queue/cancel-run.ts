import { type Store, updateRunStatus } from "@cxrlab/db";
import type { JobQueue, JobState } from "@cxrlab/queue";
import { FINISHED_STATUSES, type RunStatus } from "@cxrlab/validators/run-status";
import type { AuditEntry } from "../auth/audit.ts";

/** Job states a cancel still changes. */
const OPEN_JOB_STATES: readonly JobState[] = ["created", "retry", "active"];

/** Why a run cannot be cancelled; the API answers it as a conflict. */
export class CancelRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CancelRefused";
  }
}

export interface CancelledRun {
  runId: number;
  /** The run's training jobs that were cancelled in the queue. */
  jobIds: string[];
  /**
   * `cancelled` at once for a run no worker had started; `stopping` for a running one, which its
   * worker stops after the current batch and then marks cancelled.
   */
  outcome: "cancelled" | "stopping";
}

/** Cancels the queue's training job(s) of a queued or running run. */
export async function cancelRun(
  store: Store,
  queue: JobQueue,
  run: { id: number; status: RunStatus },
): Promise<CancelledRun> {
  if (FINISHED_STATUSES.includes(run.status))
    throw new CancelRefused(`run ${run.id} is already ${run.status}`);
  const jobs = (await queue.list({ runId: run.id })).filter(
    (q) => q.job.kind === "train" && OPEN_JOB_STATES.includes(q.state),
  );
  if (jobs.length === 0 && run.status === "running") {
    throw new CancelRefused(
      `run ${run.id} is not training from the queue (started by \`cxrlab train\`?); stop it where it runs`,
    );
  }
  for (const { id } of jobs) await queue.cancel(id);
  const jobIds = jobs.map((q) => q.id);
  // A running job's worker marks its run cancelled once training has stopped.
  if (jobs.some((q) => q.state === "active")) return { runId: run.id, jobIds, outcome: "stopping" };
  await updateRunStatus(store, run.id, "cancelled", { message: "cancelled before it started" });
  return { runId: run.id, jobIds, outcome: "cancelled" };
}

/** The audit entry of a cancelled run (the dashboard's and the CLI's alike). */
export function cancelAuditEntry(
  run: { id: number; status: RunStatus; projectId: number | null },
  cancelled: CancelledRun,
) {
  return {
    action: "run.cancel",
    targetType: "run",
    targetId: String(run.id),
    projectId: run.projectId,
    details: { jobIds: cancelled.jobIds, outcome: cancelled.outcome, was: run.status },
  } satisfies AuditEntry;
}
