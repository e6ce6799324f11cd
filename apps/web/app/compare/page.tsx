import type { RouterOutputs } from "@cxrlab/api";
import type { Interval, MetricIntervals } from "@cxrlab/core/metrics";
import { comparisonCurvesSvg } from "@cxrlab/core/plots";
import type { Metadata } from "next";
import Link from "next/link";
import { formatConfigValue } from "../../src/components/config-table.tsx";
import { StatusBadge } from "../../src/components/status-badge.tsx";
import { SvgFigure } from "../../src/components/svg-figure.tsx";
import { curvePoints } from "../../src/curves.ts";
import { orErrorPage } from "../../src/error-page.ts";
import { dateTime, duration, fixed, percent } from "../../src/format.ts";
import { compareIds, type SearchParams } from "../../src/search-params.ts";
import { getCaller } from "../../src/trpc/server.ts";
import { PairedTable } from "./paired-table.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Compare runs" };

/** The API compares 2 to 8 runs. */
const MAX_RUNS = 8;

type Run = RouterOutputs["runs"]["compare"]["runs"][number];

function testEvaluation(run: Run) {
  return run.evaluations.find((e) => e.split === "test");
}

function testMetrics(run: Run) {
  return testEvaluation(run)?.metrics;
}

/** The stored 95% interval of a test metric, or a dash for runs recorded without intervals. */
function testInterval(run: Run, pick: (intervals: MetricIntervals) => Interval): string {
  const intervals = testEvaluation(run)?.intervals;
  if (!intervals) return "—";
  const { lower, upper } = pick(intervals);
  return lower === null || upper === null ? "n/a" : `${percent(lower)} – ${percent(upper)}`;
}

/** Rows of the side-by-side table: a label and each run's value. */
function metricRows(runs: Run[]): [string, (run: Run) => string][] {
  const classNames = [...new Set(runs.flatMap((r) => testMetrics(r)?.classNames ?? []))];
  return [
    ["Status", (r) => r.status],
    ["Preset", (r) => r.preset],
    ["Test accuracy", (r) => percent(testMetrics(r)?.accuracy)],
    ["Test accuracy, 95% interval", (r) => testInterval(r, (i) => i.accuracy)],
    ["Test loss", (r) => fixed(testMetrics(r)?.loss, 5)],
    ["Macro AUC", (r) => fixed(testMetrics(r)?.macroAuc)],
    ["ECE", (r) => fixed(testMetrics(r)?.ece)],
    ["Macro F1", (r) => fixed(testMetrics(r)?.report.macroAvg.f1)],
    ...classNames.map((name): [string, (run: Run) => string] => [
      `F1 ${name}`,
      (r) => fixed(testMetrics(r)?.report.classes.find((c) => c.name === name)?.f1),
    ]),
    ["Test images", (r) => String(testMetrics(r)?.count ?? "—")],
    ["Best epoch", (r) => (r.bestEpoch === null ? "—" : String(r.bestEpoch))],
    [
      "Best val. loss",
      (r) => fixed(Math.min(...r.epochs.map((e) => e.valLoss ?? Number.POSITIVE_INFINITY)), 5),
    ],
    ["Epochs", (r) => `${r.epochsDone}/${r.epochsPlanned}`],
    ["Backend", (r) => r.backend ?? "—"],
    ["Seed", (r) => String(r.seed)],
    ["Total time", (r) => duration(Object.values(r.timings ?? {}).reduce((a, b) => a + b, 0) || null)],
    ["Created", (r) => dateTime(r.createdAt)],
  ];
}

async function RunPicker({ chosen }: { chosen: number[] }) {
  const caller = await getCaller();
  const runs = await caller.runs.list({ pageSize: 100 });
  return (
    <form action="/compare" method="get" data-testid="compare-picker">
      <p className="muted">Pick 2 to {MAX_RUNS} runs to compare.</p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th aria-label="Select" />
              <th className="num">#</th>
              <th>Run</th>
              <th>Status</th>
              <th className="num">Test accuracy</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.items.map((r) => (
              <tr key={r.id}>
                <td>
                  <input
                    type="checkbox"
                    name="ids"
                    value={r.id}
                    defaultChecked={chosen.includes(r.id)}
                    aria-label={`Compare run ${r.id}`}
                  />
                </td>
                <td className="num">{r.id}</td>
                <td className="nowrap">{r.name}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td className="num">{percent(r.testAccuracy)}</td>
                <td className="num">{dateTime(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <button type="submit" className="primary">
          Compare
        </button>
      </p>
    </form>
  );
}

export default async function ComparePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ids = compareIds(await searchParams);
  if (ids.length < 2 || ids.length > MAX_RUNS) {
    return (
      <>
        <h1>Compare runs</h1>
        {ids.length > MAX_RUNS && (
          <p className="error-box">
            {ids.length} runs chosen; compare at most {MAX_RUNS} at once.
          </p>
        )}
        <RunPicker chosen={ids} />
      </>
    );
  }
  const caller = await getCaller();
  const { runs, configDiff, paired } = await orErrorPage(caller.runs.compare({ ids }));
  const withEpochs = runs.filter((r) => r.epochs.length > 0);
  return (
    <>
      <div className="crumbs">
        <Link href="/runs">Runs</Link> / compare
      </div>
      <h1>Compare {runs.length} runs</h1>

      <h2>Metrics</h2>
      <div className="table-scroll">
        <table data-testid="compare-metrics">
          <thead>
            <tr>
              <th />
              {runs.map((r) => (
                <th key={r.id} data-testid="compare-run" data-run-id={r.id}>
                  <Link href={`/runs/${r.id}`}>
                    #{r.id} {r.name}
                  </Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metricRows(runs).map(([label, value]) => (
              <tr key={label} data-testid="compare-metric-row" data-metric={label}>
                <th scope="row">{label}</th>
                {runs.map((r) => (
                  <td key={r.id} className="num" data-run-id={r.id}>
                    {value(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Paired test against #{runs[0]!.id}</h2>
      <PairedTable firstId={runs[0]!.id} paired={paired} />

      <h2>Training curves</h2>
      {withEpochs.length > 0 ? (
        <SvgFigure
          build={() =>
            comparisonCurvesSvg(
              runs.map((r) => ({
                label: `#${r.id} ${r.name}`,
                history: curvePoints(r.epochs),
                bestEpoch: r.bestEpoch,
              })),
            )
          }
          testId="compare-curves"
          wide
          label="Accuracy and loss per epoch of every compared run"
        />
      ) : (
        <p className="muted">None of these runs has recorded epochs.</p>
      )}

      <h2>Configuration differences</h2>
      {configDiff.length === 0 ? (
        <p className="muted" data-testid="config-diff-empty">
          The runs share every configuration value.
        </p>
      ) : (
        <div className="table-scroll">
          <table data-testid="config-diff">
            <thead>
              <tr>
                <th>Setting</th>
                {runs.map((r) => (
                  <th key={r.id}>#{r.id}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {configDiff.map((d) => (
                <tr key={d.path} data-testid="config-diff-row" data-path={d.path}>
                  <th scope="row" className="config-key">
                    {d.path}
                  </th>
                  {d.values.map((v, i) => (
                    <td key={runs[i]?.id ?? i} className="diff-cell">
                      {formatConfigValue(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
