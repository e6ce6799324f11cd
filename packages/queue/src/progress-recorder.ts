import type { ProgressEvent } from "@cxrlab/core/train/progress";
import type { RunProgressUpdate } from "@cxrlab/db";

export interface ProgressRecorder {
  record(event: ProgressEvent): void;
  /** Drops what is still waiting and resolves once the write in flight (if any) is done. */
  stop(): Promise<void>;
}

export interface ProgressRecorderOptions {
  /** Least time between two writes within one phase (default 2 s). */
  intervalMs?: number;
  /** Told about the first failed write; later failures are silent. */
  warn?: (message: string) => void;
  now?: () => number;
}

export function progressUpdate(e: ProgressEvent): RunProgressUpdate {
  return {
    phase: e.phase,
    epoch: e.epoch ?? null,
    epochs: e.epochs ?? null,
    done: e.done,
    total: e.total,
    imagesPerSecond: e.rate,
    etaSeconds: e.etaSeconds,
  };
}

/**
 * Hands training progress to `write` (the run's row in the store) throttled: at once when the
 * phase or epoch changes or a phase completes, otherwise at most every `intervalMs`. Writes never
 * overlap; while one is in flight only the newest event waits. A failing store does not stop
 * training: the recorder warns once and carries on.
 */
export function createProgressRecorder(
  write: (update: RunProgressUpdate) => Promise<void>,
  options: ProgressRecorderOptions = {},
): ProgressRecorder {
  const intervalMs = options.intervalMs ?? 2000;
  const now = options.now ?? Date.now;
  let lastKey = "";
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;
  let waiting: ProgressEvent | null = null;
  let stopped = false;
  let warned = false;

  const start = (event: ProgressEvent) => {
    lastWriteAt = now();
    inFlight = write(progressUpdate(event))
      .catch((err: Error) => {
        if (!warned) options.warn?.(`could not record progress in the store: ${err.message}`);
        warned = true;
      })
      .then(() => {
        inFlight = null;
        const next = waiting;
        waiting = null;
        if (next && !stopped) start(next);
      });
  };

  return {
    record(event) {
      if (stopped) return;
      const key = `${event.phase}:${event.epoch ?? ""}`;
      const due = key !== lastKey || event.done >= event.total || now() - lastWriteAt >= intervalMs;
      lastKey = key;
      if (!due) return;
      if (inFlight) waiting = event;
      else start(event);
    },
    async stop() {
      stopped = true;
      waiting = null;
      while (inFlight) await inFlight;
    },
  };
}
