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
