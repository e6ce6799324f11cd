import { createRng, shuffleInPlace } from "../random.ts";

export interface Split<T> {
  train: T[];
  validation: T[];
}

interface Labelled {
  label: number;
}

function assertFraction(fraction: number): void {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) {
    throw new RangeError(`Validation fraction must be in [0, 1), got ${fraction}`);
  }
}

/** Records grouped by label, labels ascending, each group in its input order. */
function byClass<T extends Labelled>(records: readonly T[]): T[][] {
  const groups = new Map<number, T[]>();
  for (const record of records) {
    const group = groups.get(record.label);
    if (group) group.push(record);
    else groups.set(record.label, [record]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((label) => groups.get(label) as T[]);
}

/**
 * Keras `ImageDataGenerator(validation_split=f)`: per class, in file order, the validation
 * subset is files `[0, int(f * n))` and the training subset `[int(f * n), n)`.
 */
export function kerasValidationSplit<T extends Labelled>(records: readonly T[], fraction: number): Split<T> {
  assertFraction(fraction);
  // Python's int() truncates the same IEEE double product.
  const groups = byClass(records).map((group) => ({ group, cut: Math.trunc(fraction * group.length) }));
  return {
    train: groups.flatMap(({ group, cut }) => group.slice(cut)),
    validation: groups.flatMap(({ group, cut }) => group.slice(0, cut)),
  };
}

/**
 * A seeded random split per class: `round(f * n)` images of each class go to validation, but
 * training always keeps one, and validation gets one when the fraction is above zero and the
 * class has two or more. Both sides keep the input order.
 */
export function stratifiedSplit<T extends Labelled>(
  records: readonly T[],
  fraction: number,
  seed: number,
): Split<T> {
  assertFraction(fraction);
  const rng = createRng(seed);
  const split: Split<T> = { train: [], validation: [] };
  for (const group of byClass(records)) {
    const n = group.length;
    let count = Math.min(Math.round(fraction * n), n - 1);
    if (fraction > 0 && n >= 2) count = Math.max(count, 1);
    const chosen = new Set(shuffleInPlace([...group.keys()], rng).slice(0, count));
    for (const [i, record] of group.entries()) {
      (chosen.has(i) ? split.validation : split.train).push(record);
    }
  }
  return split;
}

/**
 * A seeded split that keeps every group (patient) on one side. Groups are stratified by their most
 * frequent label (ties: the lowest): per stratum, groups in seeded random order go to validation
 * while that keeps it at or under `round(f * n)` images of the stratum (at least one group when
 * the fraction is above zero and the stratum has two or more groups), and training keeps at least
 * one group. Both sides keep the input order.
 */
export function groupedStratifiedSplit<T extends Labelled>(
  records: readonly T[],
  fraction: number,
  seed: number,
  groupOf: (record: T) => string,
): Split<T> {
  assertFraction(fraction);
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const key = groupOf(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const strata = byClass(
    [...groups.entries()].map(([key, members]) => ({ key, members, label: majorityLabel(members) })),
  );
  const rng = createRng(seed);
  const held = new Set<string>();
  for (const stratum of strata) {
    const images = stratum.reduce((n, g) => n + g.members.length, 0);
    const target = Math.round(fraction * images);
    let taken = 0;
    let left = stratum.length;
    for (const i of shuffleInPlace([...stratum.keys()], rng)) {
      const group = stratum[i]!;
      const first = fraction > 0 && taken === 0;
      if (left <= 1 || !(taken + group.members.length <= target || first)) continue;
      held.add(group.key);
      taken += group.members.length;
      left -= 1;
    }
  }
  const split: Split<T> = { train: [], validation: [] };
  for (const record of records) (held.has(groupOf(record)) ? split.validation : split.train).push(record);
  return split;
}

function majorityLabel(records: readonly Labelled[]): number {
  const counts = new Map<number, number>();
  for (const { label } of records) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best = Number.POSITIVE_INFINITY;
  let bestCount = 0;
  for (const [label, count] of counts) {
    if (count > bestCount || (count === bestCount && label < best)) [best, bestCount] = [label, count];
  }
  return best;
}
