import type { RouterOutputs } from "@cxrlab/api";
import type { Interval } from "@cxrlab/core/metrics";
import { agreementTrendSvg, isoDay } from "@cxrlab/core/plots";
import Link from "next/link";
import { fixed, percent } from "../format.ts";
import { ConfusionHeatmap } from "./confusion-heatmap.tsx";
import { SvgFigure } from "./svg-figure.tsx";

type Monitoring = RouterOutputs["monitoring"]["run"];
type Window = Monitoring["windows"][number];
type Drift = NonNullable<Window["drift"]>;

/** An estimate with its 95% interval: "75.00% (41.00–100.00%)", or why it is missing. */
export function withInterval(interval: Interval | undefined): string {
  if (!interval || interval.estimate === null) return interval?.reason ?? "—";
  const range =
    interval.lower === null || interval.upper === null
      ? ""
      : ` (${percent(interval.lower, 1)}–${percent(interval.upper, 1)})`;
  return `${percent(interval.estimate, 1)}${range}`;
}

const driftNames = (drift: Drift | null) =>
  drift === null
    ? "—"
    : drift.flagged
      ? drift.checks
          .filter((c) => c.flagged)
          .map((c) => c.name)
          .join(", ")
      : "none";

/** The agreement-with-readers chart: one dot and 95% whisker per window, drifted windows shaded. */
export function AgreementChart({ monitoring }: { monitoring: Monitoring }) {
  return (
    <SvgFigure
      testId="agreement-trend"
      label={`Agreement with readers per ${monitoring.window} window, with 95% intervals; windows whose inputs drifted are shaded`}
      build={() =>
        agreementTrendSvg(
          monitoring.windows.map((w) => ({
            label: isoDay(w.start),
            accuracy: w.agreement?.accuracy.estimate ?? null,
            lower: w.agreement?.accuracy.lower ?? null,
            upper: w.agreement?.accuracy.upper ?? null,
            cases: w.reviewed,
            drift: w.drift?.flagged ?? false,
          })),
          { title: `Agreement with readers per ${monitoring.window}` },
        )
      }
    />
  );
}

/** The headline figures over every window. */
export function MonitoringSummary({ monitoring }: { monitoring: Monitoring }) {
  const { overall } = monitoring;
  return (
    <div className="stats">
      <div className="stat">
        <span className="label">Agreement (95% CI)</span>
        <span className="value" data-testid="monitoring-accuracy">
          {withInterval(overall.agreement?.accuracy)}
        </span>
      </div>
      <div className="stat">
        <span className="label">Reviewed images counted</span>
        <span className="value" data-testid="monitoring-reviewed">
          {overall.reviewed} of {overall.images}
        </span>
      </div>
      <div className="stat">
        <span className="label">Uncertain (reviews · images)</span>
        <span className="value" data-testid="monitoring-uncertain">
          {monitoring.uncertainReviews} · {overall.uncertainImages}
        </span>
      </div>
      {overall.otherClasses > 0 && (
        <div className="stat">
          <span className="label">Labels outside the run's classes</span>
          <span className="value" data-testid="monitoring-other-classes">
            {overall.otherClasses}
          </span>
        </div>
      )}
      <div className="stat">
        <span className="label">Ties left out</span>
        <span className="value" data-testid="monitoring-ties">
          {overall.ties}
        </span>
      </div>
      <div className="stat">
        <span className="label">Input drift</span>
        <span className="value" data-testid="monitoring-drift">
          {driftNames(overall.drift)}
        </span>
      </div>
    </div>
  );
}

function DriftTable({ drift, testId }: { drift: Drift; testId: string }) {
  return (
    <div className="table-scroll">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th>check</th>
            <th>statistic</th>
            <th className="num">value</th>
            <th className="num">threshold</th>
            <th>flagged</th>
            <th>training → arriving</th>
          </tr>
        </thead>
        <tbody>
          {drift.checks.map((c) => (
            <tr key={c.name} data-testid="drift-check" data-check={c.name} data-flagged={c.flagged}>
              <th scope="row">{c.name}</th>
              <td>{c.statistic}</td>
              <td className="num">{fixed(c.value, 3)}</td>
              <td className="num">{fixed(c.threshold, 3)}</td>
              <td className={c.flagged ? "bad" : "good"}>{c.flagged ? "drift" : "ok"}</td>
              <td className="muted">
                {c.name === "intensity histogram"
                  ? "16 grey-level bins"
                  : `${Object.entries(c.reference)
                      .map(([k, v]) => `${k}: ${c.name === "image size" ? v : percent(v, 0)}`)
                      .join(", ")} → ${Object.entries(c.current)
                      .map(([k, v]) => `${k}: ${c.name === "image size" ? v : percent(v, 0)}`)
                      .join(", ")}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Everything monitoring knows of one model: chart, windows, confusion, drift and disagreements. */
export function MonitoringReport({ monitoring }: { monitoring: Monitoring }) {
  const { overall, run } = monitoring;
  return (
    <>
      <MonitoringSummary monitoring={monitoring} />
      <p className="muted" data-testid="monitoring-rule">
        {monitoring.countingRule} Intervals: {overall.agreement?.resamples ?? 2000} seeded bootstrap
        resamples, a patient's images drawn together.
      </p>
      {monitoring.windows.length > 0 && <AgreementChart monitoring={monitoring} />}
      <h2>Per {monitoring.window}</h2>
      <div className="table-scroll">
        <table data-testid="monitoring-windows">
          <thead>
            <tr>
              <th>from</th>
              <th className="num">images</th>
              <th className="num">counted</th>
              <th className="num">uncertain</th>
              <th className="num">ties</th>
              <th>accuracy (95% CI)</th>
              {run.classNames.map((c) => (
                <th key={c}>{c} recall</th>
              ))}
              <th>drift</th>
            </tr>
          </thead>
          <tbody>
            {monitoring.windows.map((w) => (
              <tr key={isoDay(w.start)} data-testid="monitoring-window" data-window={isoDay(w.start)}>
                <th scope="row">{isoDay(w.start)}</th>
                <td className="num">{w.images}</td>
                <td className="num">{w.reviewed}</td>
                <td className="num">{w.uncertainImages}</td>
                <td className="num">{w.ties}</td>
                <td data-testid="window-accuracy">{withInterval(w.agreement?.accuracy)}</td>
                {run.classNames.map((c, i) => (
                  <td key={c}>{withInterval(w.agreement?.classes[i]?.recall)}</td>
                ))}
                <td className={w.drift?.flagged ? "bad" : undefined} data-testid="window-drift">
                  {driftNames(w.drift)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {overall.agreement && (
        <>
          <h2>Confusion against the readers (all windows)</h2>
          <ConfusionHeatmap matrix={overall.agreement.confusion} classNames={run.classNames} />
        </>
      )}
      <h2>Input drift from the training images</h2>
      {overall.drift ? (
        <>
          <p className="muted">
            Against {monitoring.reference.images} images of the run's training folder: image size (width ×
            height) by the two-sample Kolmogorov–Smirnov statistic above its α = 0.05 critical value; bit
            depth, source/modality and the grey-level histogram by the population stability index above 0.2.
          </p>
          <DriftTable drift={overall.drift} testId="drift-table" />
        </>
      ) : (
        <p className="muted" data-testid="drift-unavailable">
          No drift check: {monitoring.reference.reason ?? "no arriving image"}.
        </p>
      )}
      <h2>Readers who disagree</h2>
      {monitoring.disagreements.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="disagreements">
            <thead>
              <tr>
                <th>image</th>
                <th>arrived</th>
                <th>model</th>
                <th>readers</th>
                <th>counted as</th>
              </tr>
            </thead>
            <tbody>
              {monitoring.disagreements.map((d) => (
                <tr key={d.imageId} data-testid="disagreement">
                  <td>
                    <Link href={`/images/${d.imageId}?run=${run.id}`}>#{d.imageId}</Link>
                  </td>
                  <td>{isoDay(d.arrivedAt)}</td>
                  <td>{d.predicted}</td>
                  <td>{d.readers.map((r) => `${r.reader}: ${r.label}`).join("; ")}</td>
                  <td>{d.resolved ?? "tie: left out"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
