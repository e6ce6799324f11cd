import { describeSplitGrouping } from "@cxrlab/core/data";
import { formatClassificationReport, formatMetricIntervals } from "@cxrlab/core/metrics";
import type { RunArtifacts } from "@cxrlab/core/run";
import { formatSeedSummary, type SeedSummary } from "@cxrlab/core/run";
import type { TrainOutcome } from "@cxrlab/core/train";
import { formatDuration } from "@cxrlab/queue/runners";

export function printTrainOutcome(
  result: TrainOutcome,
  artifacts: RunArtifacts,
  runId: number,
  json: boolean,
): void {
  const { evaluation: m } = result;
  if (json) {
    console.log(
      JSON.stringify({
        runId,
        runDir: result.runDir,
        status: result.status,
        backend: result.backend.name,
        preset: result.config.preset,
        config: result.config,
        summary: result.summary,
        classNames: result.classNames,
        counts: result.counts,
        testSource: result.testSource,
        splitGrouping: result.splitGrouping,
        prefixCached: result.prefixCached,
        trainEngine: result.trainEngine,
        history: result.history,
        bestEpoch: result.bestEpoch,
        metrics: m,
        intervals: result.intervals,
        accuracy: m?.accuracy ?? null,
        loss: m?.loss ?? null,
        timings: result.timings,
        skipped: result.skipped,
        files: artifacts,
      }),
    );
    return;
  }
  const total = Object.values(result.timings).reduce((a, b) => a + b, 0);
  console.log(`\nrun ${runId} ${result.status}: ${result.runDir}`);
  console.log(
    `backend ${result.backend.name}; images train ${result.counts.train}, validation ${result.counts.validation}, ` +
      `test ${result.counts.test} (${result.testSource}); time ${formatDuration(total)}`,
  );
  console.log(describeSplitGrouping(result.splitGrouping));
  if (result.bestEpoch)
    console.log(`best epoch (${result.config.training.checkpointMonitor}): ${result.bestEpoch}`);
  if (m) {
    console.log(`\ntest accuracy ${(m.accuracy * 100).toFixed(3)}%  loss ${m.loss.toFixed(5)}\n`);
    console.log(formatClassificationReport(m.report, 5));
  }
  if (result.intervals) console.log(`${formatMetricIntervals(result.intervals).join("\n")}\n`);
  for (const s of result.skipped) console.log(`skipped ${s.path}: ${s.reason}`);
  console.log("files:");
  for (const [name, file] of Object.entries(artifacts)) if (file) console.log(`  ${name.padEnd(18)} ${file}`);
}

/** The summary of a `--seeds` batch: JSON, or a table of the runs with mean ± sd and the pooled interval. */
export function printSeedSummary(summary: SeedSummary, json: boolean): void {
  if (json) console.log(JSON.stringify(summary));
  else console.log(`\n${formatSeedSummary(summary).join("\n")}`);
}
