import type { RouterOutputs } from "@cxrlab/api";
import { reliabilityDiagramSvg, rocCurvesSvg, trainingCurvesSvg } from "@cxrlab/core/plots";
import { type Permission, roleCan } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { AutoRefresh } from "../../../src/components/auto-refresh.tsx";
import { CancelRunButton } from "../../../src/components/cancel-run-button.tsx";
import { ConfigTable } from "../../../src/components/config-table.tsx";
import { ConfusionHeatmap } from "../../../src/components/confusion-heatmap.tsx";
import { IntervalsTable } from "../../../src/components/intervals-table.tsx";
import { AgreementChart, MonitoringSummary } from "../../../src/components/monitoring-report.tsx";
import { ReportTable } from "../../../src/components/report-table.tsx";
import { RunProgress } from "../../../src/components/run-progress.tsx";
import { StatusBadge } from "../../../src/components/status-badge.tsx";
import { SvgFigure } from "../../../src/components/svg-figure.tsx";
import { curvePoints } from "../../../src/curves.ts";
import { idParam, orErrorPage } from "../../../src/error-page.ts";
import { dateTime, duration, fixed, percent } from "../../../src/format.ts";
import { first, type SearchParams } from "../../../src/search-params.ts";
import { getCaller } from "../../../src/trpc/server.ts";
import { DefaultModel } from "./default-model.tsx";
import { PromotionHistory } from "./promotion-history.tsx";
import { RunAnnotations } from "./run-annotations.tsx";
import { RunComments } from "./run-comments.tsx";
import { StarButton } from "./star-button.tsx";

export const dynamic = "force-dynamic";

type Run = RouterOutputs["runs"]["get"];
type Evaluation = Run["evaluations"][number];

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Run ${(await params).id}` };
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat">
      <span className="label">{label}</span>
      <span className="value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

function RunFacts({ run }: { run: Run }) {
  const timings = Object.entries(run.timings ?? {});
  const total = timings.reduce((sum, [, s]) => sum + s, 0);
  const rows: [string, string, string?][] = [
    ["Preset", run.preset],
    ["Status", run.statusMessage ? `${run.status}: ${run.statusMessage}` : run.status],
    ["Backend", run.backend ?? "—", "run-backend"],
    ["Seed", String(run.seed), "run-seed"],
    ["Dataset fingerprint", run.datasetFingerprint ?? "—", "run-fingerprint"],
    ["Code version", run.codeVersion ?? "—"],
    ["Model", run.modelLocation ?? "—"],
    ["Model size", run.modelBytes === null ? "—" : `${(run.modelBytes / 1e6).toFixed(1)} MB`],
    ["Created", dateTime(run.createdAt)],
    ["Started", dateTime(run.startedAt)],
    ["Finished", dateTime(run.finishedAt)],
  ];
  return (
    <div className="grid-2">
      <div className="table-scroll">
        <table className="kv" data-testid="run-facts">
          <tbody>
            {rows.map(([label, value, testId]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td data-testid={testId}>{value}</td>
              </tr>
            ))}
            {run.datasetVersion && (
              <tr>
                <th scope="row">Dataset version</th>
                <td>
                  <Link href={`/datasets/${run.datasetVersion.id}`} data-testid="run-dataset">
                    {run.datasetVersion.name}@{run.datasetVersion.version}
                  </Link>
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <div className="table-scroll">
        <table className="kv" data-testid="run-timings">
          <thead>
            <tr>
              <th>Phase</th>
              <th className="num">Time</th>
            </tr>
          </thead>
          <tbody>
            {timings.length === 0 && (
              <tr>
                <td colSpan={2} className="muted">
                  No timings recorded.
                </td>
              </tr>
            )}
            {timings.map(([phase, seconds]) => (
              <tr key={phase}>
                <th scope="row">{phase}</th>
                <td className="num">{duration(seconds)}</td>
              </tr>
            ))}
            {timings.length > 0 && (
              <tr>
                <th scope="row">total</th>
                <td className="num">{duration(total)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function EpochTable({ run }: { run: Run }) {
  return (
    <details>
      <summary>Every epoch ({run.epochs.length})</summary>
      <div className="table-scroll">
        <table data-testid="epoch-table">
          <thead>
            <tr>
              <th className="num">Epoch</th>
              <th className="num">Loss</th>
              <th className="num">Accuracy</th>
              <th className="num">Val. loss</th>
              <th className="num">Val. accuracy</th>
              <th className="num">Time</th>
              <th className="num">Images/s</th>
            </tr>
          </thead>
          <tbody>
            {run.epochs.map((e) => (
              <tr key={e.epoch} className={e.epoch === run.bestEpoch ? "current" : undefined}>
                <td className="num">
                  {e.epoch}
                  {e.epoch === run.bestEpoch ? " ★" : ""}
                </td>
                <td className="num">{fixed(e.loss, 5)}</td>
                <td className="num">{fixed(e.accuracy, 5)}</td>
                <td className="num">{fixed(e.valLoss, 5)}</td>
                <td className="num">{fixed(e.valAccuracy, 5)}</td>
                <td className="num">{duration(e.seconds)}</td>
                <td className="num">{fixed(e.imagesPerSecond, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function EvaluationSection({
  runId,
  evaluation,
  all,
}: {
  runId: number;
  evaluation: Evaluation;
  all: Evaluation[];
}) {
  const m = evaluation.metrics;
  return (
    <section aria-labelledby="evaluation-heading" data-testid="evaluation" data-split={evaluation.split}>
      <h2 id="evaluation-heading">
        Evaluation on the {evaluation.split} split{" "}
        <span className="muted">
          ({m.count} images, {dateTime(evaluation.createdAt)})
        </span>
      </h2>
      {all.length > 1 && (
        <p className="toolbar">
          Split:
          {all.map((e) =>
            e.split === evaluation.split ? (
              <strong key={e.split}>{e.split}</strong>
            ) : (
              <Link key={e.split} href={`/runs/${runId}?split=${encodeURIComponent(e.split)}`}>
                {e.split}
              </Link>
            ),
          )}
        </p>
      )}
      <div className="stats">
        <Stat label="Accuracy" value={percent(m.accuracy)} testId="eval-accuracy" />
        <Stat label="Loss" value={fixed(m.loss, 5)} testId="eval-loss" />
        <Stat label="Macro AUC" value={fixed(m.macroAuc)} testId="eval-auc" />
        <Stat label="ECE" value={fixed(m.ece)} testId="eval-ece" />
      </div>
      <div className="grid-2">
        <div className="card">
          <h3>Confusion matrix</h3>
          <ConfusionHeatmap matrix={m.confusionMatrix} classNames={m.classNames} />
        </div>
        <div className="card">
          <h3>Classification report</h3>
          <ReportTable report={m.report} />
          {evaluation.intervals && (
            <>
              <h3>95% confidence intervals</h3>
              <IntervalsTable intervals={evaluation.intervals} />
            </>
          )}
          <h3>Sensitivity and specificity</h3>
          <div className="table-scroll">
            <table data-testid="sens-spec-table">
              <thead>
                <tr>
                  <th />
                  <th className="num">sensitivity</th>
                  <th className="num">specificity</th>
                </tr>
              </thead>
              <tbody>
                {m.classNames.map((name, c) => (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    <td className="num">{fixed(m.sensitivity[c])}</td>
                    <td className="num">{fixed(m.specificity[c])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <div className="card">
          <SvgFigure build={() => rocCurvesSvg(m.roc, m.classNames)} testId="roc-curves" label="ROC curves" />
        </div>
        <div className="card">
          <SvgFigure
            build={() => reliabilityDiagramSvg(m.reliability)}
            testId="reliability-diagram"
            label="Reliability diagram"
          />
        </div>
      </div>
    </section>
  );
}

export default async function RunPage({ params, searchParams }: Props) {
  const id = idParam((await params).id);
  const split = first(await searchParams, "split");
  const caller = await getCaller();
  const run = await orErrorPage(caller.runs.get({ id }));
  const evaluation =
    run.evaluations.find((e) => e.split === split) ??
    run.evaluations.find((e) => e.split === "test") ??
    run.evaluations[0];
  const live = run.status === "running" || run.status === "queued";
  const [projects, comments, promotions] = await Promise.all([
    caller.projects.list(),
    caller.runs.comments({ id }),
    caller.runs.promotions({ id }),
  ]);
  // The viewer's role in the run's project decides which controls the page offers (the API checks again).
  const role = projects.find((p) => p.id === run.projectId)?.role ?? null;
  const can = (permission: Permission) => role !== null && roleCan(role, permission);
  const canCancel = live && can("runs:create");
  const monitor = run.config.training.checkpointMonitor;
  // How the model does on the project's arriving images, for those who may see monitoring.
  const monitoring = can("monitoring:read") ? await caller.monitoring.run({ id }) : null;
  return (
    <>
      <AutoRefresh active={live} />
      <div className="crumbs">
        <Link href="/runs">Runs</Link> / #{run.id}
      </div>
      <div className="page-head">
        <h1 data-testid="run-name">
          {run.name} <StatusBadge status={run.status} />
        </h1>
        <div className="toolbar">
          <StarButton runId={run.id} starred={run.starred} stars={run.stars} canStar={can("runs:annotate")} />
          {canCancel && <CancelRunButton runId={run.id} />}
          <Link
            className="button primary"
            href={`/runs/${run.id}/predictions`}
            data-testid="predictions-link"
          >
            Browse {run.predictionCount.toLocaleString("en-US")} predictions
          </Link>
        </div>
      </div>
      <DefaultModel run={run} canPromote={can("runs:create")} />
      {live && run.progress && <RunProgress progress={run.progress} />}
      <div className="stats">
        <Stat
          label="Test accuracy"
          value={percent(run.evaluations.find((e) => e.split === "test")?.metrics.accuracy)}
          testId="run-accuracy"
        />
        <Stat
          label="Best epoch"
          value={run.bestEpoch === null ? "—" : String(run.bestEpoch)}
          testId="run-best-epoch"
        />
        <Stat label="Epochs" value={`${run.epochsDone}/${run.epochsPlanned}`} testId="run-epochs" />
        <Stat
          label="Predictions"
          value={run.predictionCount.toLocaleString("en-US")}
          testId="run-prediction-count"
        />
        <Stat label="Seed" value={String(run.seed)} />
      </div>

      <RunAnnotations runId={run.id} tags={run.tags} notes={run.notes} />
      <RunComments runId={run.id} comments={comments} canComment={can("runs:annotate")} />
      <PromotionHistory runId={run.id} promotions={promotions} />

      {monitoring && monitoring.windows.length > 0 && (
        <section aria-labelledby="monitoring-heading" data-testid="run-monitoring">
          <h2 id="monitoring-heading">
            Monitoring{" "}
            <Link className="muted" href={`/monitoring?project=${run.projectId}&run=${run.id}`}>
              (details)
            </Link>
          </h2>
          <MonitoringSummary monitoring={monitoring} />
          <AgreementChart monitoring={monitoring} />
        </section>
      )}

      <h2>Run</h2>
      <RunFacts run={run} />

      <h2>Training curves</h2>
      {run.epochs.length > 0 ? (
        <>
          <SvgFigure
            build={() => trainingCurvesSvg(curvePoints(run.epochs), { bestEpoch: run.bestEpoch, monitor })}
            testId="training-curves"
            wide
            label="Accuracy and loss per epoch, training and validation, best epoch marked"
          />
          <EpochTable run={run} />
        </>
      ) : (
        <p className="muted">No epochs recorded{live ? " yet" : ""}.</p>
      )}

      {evaluation ? (
        <EvaluationSection runId={run.id} evaluation={evaluation} all={run.evaluations} />
      ) : (
        <p className="muted">No evaluation recorded.</p>
      )}

      <h2>Configuration</h2>
      <ConfigTable config={run.config} />
    </>
  );
}
