import type { RouterOutputs } from "@cxrlab/api";
import { duration } from "../format.ts";

type Progress = NonNullable<RouterOutputs["runs"]["list"]["items"][number]["progress"]>;

/** A running run's phase, bar, percentage, speed and time left. */
export function RunProgress({ progress }: { progress: Progress }) {
  const percent = Math.min(100, Math.max(0, progress.percent));
  return (
    <div className="progress" data-testid="run-progress">
      <div
        className="progress-bar"
        role="progressbar"
        aria-valuenow={Math.round(percent)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text">
        {progress.phase}
        {progress.epoch !== null && ` epoch ${progress.epoch}/${progress.epochs ?? "?"}`} · {progress.done}/
        {progress.total} · <span data-testid="run-progress-percent">{percent.toFixed(0)}%</span>
        {progress.imagesPerSecond !== null && ` · ${progress.imagesPerSecond.toFixed(1)} img/s`}
        {progress.etaSeconds !== null && <> · ETA {duration(progress.etaSeconds)}</>}
      </div>
    </div>
  );
}
