import type { Interval, MetricIntervals } from "@cxrlab/core/metrics";
import { describeBootstrap, formatFixed } from "@cxrlab/core/metrics";

function Row({ label, interval, testId }: { label: string; interval: Interval; testId?: string }) {
  const f = (v: number | null) => (v === null ? "—" : formatFixed(v, 4));
  return (
    <tr data-testid={testId}>
      <th scope="row">{label}</th>
      <td className="num">{f(interval.estimate)}</td>
      <td className="num">
        {interval.estimate === null || interval.lower === null || interval.upper === null
          ? "n/a"
          : `${f(interval.lower)} – ${f(interval.upper)}`}
      </td>
      <td className="muted">{interval.reason ?? ""}</td>
    </tr>
  );
}

/** The evaluation's metrics with their 95% bootstrap intervals, and how they were drawn. */
export function IntervalsTable({ intervals }: { intervals: MetricIntervals }) {
  return (
    <>
      <div className="table-scroll">
        <table data-testid="intervals-table">
          <thead>
            <tr>
              <th />
              <th className="num">estimate</th>
              <th className="num">95% interval</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <Row label="accuracy" interval={intervals.accuracy} testId="interval-accuracy" />
            <Row label="macro-F1" interval={intervals.macroF1} />
            <Row label="macro AUC" interval={intervals.macroAuc} />
            <Row label="ECE" interval={intervals.ece} />
            {intervals.classes.flatMap((k) => [
              <Row key={`${k.name}-recall`} label={`${k.name} recall`} interval={k.recall} />,
              <Row key={`${k.name}-precision`} label={`${k.name} precision`} interval={k.precision} />,
              <Row key={`${k.name}-auc`} label={`${k.name} AUC`} interval={k.auc} />,
            ])}
          </tbody>
        </table>
      </div>
      <p className="muted" data-testid="intervals-method">
        {describeBootstrap(intervals)}
      </p>
    </>
  );
}
