import { checkLabels } from "./confusion-matrix.ts";

/** Class probabilities, one row per example: nested rows or a row-major n x k typed array. */
export type Probabilities = readonly (readonly number[])[] | Float32Array | Float64Array;

/** Index of the largest value, the first one on ties (numpy's argmax). */
export function argmax(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

/**
 * Rows of `probabilities` after checking that they match `labels` (one row each) and `numClasses`
 * (one column each), and that every value is a finite number in [0, 1].
 */
export function probabilityRows(
  probabilities: Probabilities,
  labels: ArrayLike<number>,
  numClasses: number,
): number[][] {
  const n = labels.length;
  if (n === 0) throw new Error("metrics: no examples (labels is empty)");
  let rows: number[][];
  if (probabilities instanceof Float32Array || probabilities instanceof Float64Array) {
    if (probabilities.length !== n * numClasses) {
      throw new Error(
        `metrics: probabilities has ${probabilities.length} values, expected ${n} labels x ${numClasses} classes = ${n * numClasses}`,
      );
    }
    rows = Array.from({ length: n }, (_, i) =>
      Array.from(probabilities.subarray(i * numClasses, (i + 1) * numClasses)),
    );
  } else {
    if (probabilities.length !== n) {
      throw new Error(`metrics: probabilities has ${probabilities.length} rows but there are ${n} labels`);
    }
    rows = probabilities.map((row, i) => {
      if (row.length !== numClasses) {
        throw new Error(
          `metrics: probabilities row ${i} has ${row.length} values, expected ${numClasses} classes`,
        );
      }
      return [...row];
    });
  }
  rows.forEach((row, i) => {
    const bad = row.findIndex((p) => !(p >= 0 && p <= 1));
    if (bad >= 0)
      throw new Error(`metrics: probabilities[${i}][${bad}] is ${row[bad]}, expected a number in [0, 1]`);
  });
  checkLabels(labels, numClasses, "labels");
  return rows;
}
