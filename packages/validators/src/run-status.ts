/**
 * A run's status, one list for the store, the API, the dashboard and the CLI: `queued` until a
 * worker starts it, `running`, then one of the finished ones. A run folder's run.json (core)
 * records the ones a training process itself reaches (RunFolderStatus).
 */
export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "cancelled", "interrupted"];

/** What run.json says: a run's status as its training process writes it (never queued or cancelled). */
export type RunFolderStatus = Extract<RunStatus, "running" | "succeeded" | "failed" | "interrupted">;
