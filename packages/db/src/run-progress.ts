import { Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";

/** Where a running run is, as the dashboard shows it; written by `cxrlab train` while it works. */
export interface RunProgress {
  /** check | fit | cache | train | validate | test | predict (core's training phases). */
  phase: string;
  /** 1-based epoch and the planned number, during training phases. */
  epoch: number | null;
  epochs: number | null;
  done: number;
  total: number;
  /** done / total in 0..100. */
  percent: number;
  imagesPerSecond: number | null;
  etaSeconds: number | null;
  updatedAt: Date;
}

export type RunProgressUpdate = Omit<RunProgress, "percent" | "updatedAt">;

const finite = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The stored JSON back as a RunProgress; null when absent or not a progress object. */
export function parseRunProgress(value: unknown): RunProgress | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const done = finite(v.done);
  const total = finite(v.total);
  if (typeof v.phase !== "string" || done === null || total === null || typeof v.updatedAt !== "string") {
    return null;
  }
  return {
    phase: v.phase,
    epoch: finite(v.epoch),
    epochs: finite(v.epochs),
    done,
    total,
    percent: finite(v.percent) ?? 0,
    imagesPerSecond: finite(v.imagesPerSecond),
    etaSeconds: finite(v.etaSeconds),
    updatedAt: new Date(v.updatedAt),
  };
}

/** Stores the run's live progress (null clears it), stamped with the current time. */
export async function updateRunProgress(
  store: Store,
  runId: number,
  progress: RunProgressUpdate | null,
): Promise<void> {
  const value = progress
    ? {
        ...progress,
        imagesPerSecond: finite(progress.imagesPerSecond),
        etaSeconds: finite(progress.etaSeconds),
        percent: progress.total > 0 ? Math.min(100, (100 * progress.done) / progress.total) : 100,
        updatedAt: new Date().toISOString(),
      }
    : Prisma.DbNull;
  await retryWhenBusy(() => store.prisma.run.update({ where: { id: runId }, data: { progress: value } }));
}
