import type { ProgressEvent } from "@cxrlab/core/train/progress";

const LABELS: Record<ProgressEvent["phase"], string> = {
  check: "checking images",
  fit: "fitting mean",
  cache: "caching prefix",
  train: "training",
  validate: "validating",
  test: "testing",
  predict: "predicting",
};

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/**
 * Draws progress events on stderr: a redrawn bar with rate and ETA on a terminal, or a plain line
 * every 10% or 30 seconds (and at the end of each phase) when stderr is a file or pipe, so logs
 * stay short but a long phase still shows it is moving.
 */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastKey = "";
  let lastDecile = -1;
  let lastLineAt = 0;
  return (e: ProgressEvent) => {
    const key = `${e.phase}:${e.epoch ?? ""}`;
    if (key !== lastKey) {
      if (tty && lastKey) stream.write("\n");
      lastKey = key;
      lastDecile = -1;
    }
    const fraction = e.total > 0 ? e.done / e.total : 1;
    const epoch = e.epoch ? ` ${e.epoch}/${e.epochs}` : "";
    const metrics = e.metrics
      ? ` ${Object.entries(e.metrics)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(" ")}`
      : "";
    const width = 24;
    const filled = Math.round(fraction * width);
    const line =
      `${LABELS[e.phase]}${epoch} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
      `${e.done}/${e.total} ${e.rate.toFixed(1)} img/s ETA ${formatDuration(e.etaSeconds)}${metrics}`;
    if (tty) {
      stream.write(`\r${line}\x1b[K`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    const now = Date.now();
    if (decile > lastDecile || (e.done > 0 && now - lastLineAt > 30_000)) {
      lastDecile = decile;
      lastLineAt = now;
      stream.write(`${line}\n`);
    }
  };
}
