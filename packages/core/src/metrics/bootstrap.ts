import { createRng } from "../random.ts";

/** Which examples belong together (images of one patient, near-duplicates), resampled as a unit. */
export interface Grouping {
  /** The group of each example, in example order; null: not listed, a group of its own. */
  keys: readonly (string | null)[];
  /** Where the groups come from, e.g. the GROUPS.tsv file. */
  source: string;
}

export interface BootstrapSettings {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling (default 0): the same seed gives the same intervals. */
  seed?: number;
  /** Coverage of the percentile interval (default 0.95). */
  level?: number;
  /** Resample whole groups (cluster bootstrap) instead of single examples. */
  grouping?: Grouping | null;
}

/** How the examples were resampled: per example, or by group with all of a group's examples. */
export type GroupingSummary =
  | { by: "image"; units: number }
  | { by: "group"; source: string; units: number; ungrouped: number };

/** What an interval was computed with, kept beside it so a reader can repeat it. */
export interface BootstrapMethod {
  method: "percentile bootstrap";
  level: number;
  resamples: number;
  seed: number;
  grouping: GroupingSummary;
}

/** A point estimate with its percentile bootstrap interval; nulls where the statistic is undefined. */
export interface Interval {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  /** Resamples in which the statistic was defined: the percentiles are taken over these. */
  defined: number;
  /** Why the estimate or interval is missing, or how many resamples were left out. */
  reason?: string;
}

export const DEFAULT_RESAMPLES = 2000;

/** The resampling units: lists of example indices, one per group (in first-seen order) or per example. */
function resamplingUnits(n: number, grouping: Grouping | null | undefined): number[][] {
  if (!grouping) return Array.from({ length: n }, (_, i) => [i]);
  if (grouping.keys.length !== n) {
    throw new Error(`metrics: grouping has ${grouping.keys.length} keys but there are ${n} examples`);
  }
  const units: number[][] = [];
  const byKey = new Map<string, number[]>();
  grouping.keys.forEach((key, i) => {
    const unit = key === null ? undefined : byKey.get(key);
    if (unit) unit.push(i);
    else {
      const fresh = [i];
      units.push(fresh);
      if (key !== null) byKey.set(key, fresh);
    }
  });
  return units;
}

/**
 * The statistic on all `n` examples and on `resamples` bootstrap resamples: each resample draws as
 * many units (groups, or examples) as there are, with replacement, and takes every example of each
 * drawn unit, so a resample's size varies with the groups drawn.
 */
export function bootstrap<T>(
  n: number,
  statistic: (indices: readonly number[]) => T,
  settings: BootstrapSettings = {},
): { method: BootstrapMethod; estimate: T; draws: T[] } {
  const resamples = settings.resamples ?? DEFAULT_RESAMPLES;
  const seed = settings.seed ?? 0;
  const level = settings.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`metrics: resamples is ${resamples}, expected a positive integer`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`metrics: level is ${level}, expected a number in (0, 1)`);
  if (n === 0) throw new Error("metrics: bootstrap needs at least one example");
  const units = resamplingUnits(n, settings.grouping);
  const rng = createRng(seed);
  const draws: T[] = [];
  for (let r = 0; r < resamples; r++) {
    const indices: number[] = [];
    for (let u = 0; u < units.length; u++) indices.push(...units[rng.int(units.length)]!);
    draws.push(statistic(indices));
  }
  const grouping = settings.grouping;
  const summary: GroupingSummary = grouping
    ? {
        by: "group",
        source: grouping.source,
        units: units.length,
        ungrouped: grouping.keys.filter((k) => k === null).length,
      }
    : { by: "image", units: n };
  return {
    method: { method: "percentile bootstrap", level, resamples, seed, grouping: summary },
    estimate: statistic(Array.from({ length: n }, (_, i) => i)),
    draws,
  };
}

/** The q-quantile of ascending `sorted` values, interpolating linearly (numpy's default, type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("metrics: quantile of no values");
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const lo = sorted[below]!;
  const hi = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return lo + (h - below) * (hi - lo);
}

/**
 * The percentile interval of the defined draws around `estimate`. `undefinedReason` says why the
 * statistic has no value when the estimate itself is undefined; resamples where it is undefined
 * (null or NaN) are left out and counted.
 */
export function percentileInterval(
  estimate: number | null,
  draws: readonly (number | null)[],
  level: number,
  undefinedReason: string,
): Interval {
  const values = draws.filter((v): v is number => v !== null && !Number.isNaN(v)).sort((a, b) => a - b);
  const defined = values.length;
  if (estimate === null || Number.isNaN(estimate)) {
    return { estimate: null, lower: null, upper: null, defined, reason: undefinedReason };
  }
  if (defined === 0) {
    return { estimate, lower: null, upper: null, defined, reason: `${undefinedReason} in every resample` };
  }
  const tail = (1 - level) / 2;
  const interval: Interval = {
    estimate,
    lower: quantile(values, tail),
    upper: quantile(values, 1 - tail),
    defined,
  };
  const left = draws.length - defined;
  if (left > 0) interval.reason = `undefined in ${left} of ${draws.length} resamples, left out`;
  return interval;
}
