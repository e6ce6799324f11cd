import type { BootstrapMethod, Interval } from "./bootstrap.ts";
import { formatFixed } from "./format-fixed.ts";
import type { MetricIntervals } from "./metric-intervals.ts";

/** E.g. "95% bootstrap CI, 2000 resamples, seed 7, grouped by /data/GROUPS.tsv (1932 groups)". */
export function describeBootstrap(m: BootstrapMethod): string {
  const g = m.grouping;
  const by =
    g.by === "image"
      ? `resampled per image (${g.units} images)`
      : `grouped by ${g.source} (${g.units} groups${g.ungrouped ? `; ${g.ungrouped} images not listed there, each a group of its own` : ""})`;
  return `${Math.round(m.level * 1000) / 10}% bootstrap CI, ${m.resamples} resamples, seed ${m.seed}, ${by}`;
}

/** "0.9455 [0.9200, 0.9700]", or "n/a (why)"; a note when some resamples were left out. */
export function formatInterval(interval: Interval, digits = 4): string {
  const f = (v: number) => formatFixed(v, digits);
  const { estimate, lower, upper, reason } = interval;
  if (estimate === null) return `n/a (${reason})`;
  const range = lower === null || upper === null ? "[n/a]" : `[${f(lower)}, ${f(upper)}]`;
  return `${f(estimate)} ${range}${reason ? ` (${reason})` : ""}`;
}

/** The intervals as report lines: the headline metrics, then each class's recall, precision and AUC. */
export function formatMetricIntervals(intervals: MetricIntervals, digits = 4): string[] {
  const f = (interval: Interval) => formatInterval(interval, digits);
  return [
    `accuracy ${f(intervals.accuracy)} (${describeBootstrap(intervals)})`,
    `macro-F1 ${f(intervals.macroF1)}`,
    `macro AUC ${f(intervals.macroAuc)}`,
    `ECE ${f(intervals.ece)}`,
    ...intervals.classes.map(
      (k) => `  ${k.name}: recall ${f(k.recall)}, precision ${f(k.precision)}, AUC ${f(k.auc)}`,
    ),
  ];
}
