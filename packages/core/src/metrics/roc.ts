export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /**
   * Score thresholds, decreasing; `thresholds[0]` is Infinity (the point (0, 0), as in sklearn >= 1.3),
   * which `JSON.stringify` writes as null.
   */
  thresholds: number[];
}

export interface ClassRoc extends RocCurve {
  /** Area under the curve; null when the class has no positive or no negative examples. */
  auc: number | null;
}

/**
 * sklearn's `roc_curve` for binary targets: one point per distinct score (tied scores move the curve
 * diagonally in one step), with `dropIntermediate` removing points collinear with their neighbours
 * as sklearn's `drop_intermediate=True` (the default) does. Null when the targets hold only one class.
 */
export function rocCurve(
  positive: ArrayLike<boolean>,
  scores: ArrayLike<number>,
  dropIntermediate = true,
): RocCurve | null {
  if (positive.length !== scores.length) {
    throw new Error(`metrics: rocCurve got ${positive.length} targets but ${scores.length} scores`);
  }
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let fps: number[] = [];
  let tps: number[] = [];
  let thresholds: number[] = [];
  let tp = 0;
  order.forEach((index, rank) => {
    if (positive[index]) tp++;
    const next = order[rank + 1];
    if (next === undefined || scores[next] !== scores[index]) {
      tps.push(tp);
      fps.push(rank + 1 - tp);
      thresholds.push(scores[index]!);
    }
  });
  const positives = tps.at(-1) ?? 0;
  const negatives = fps.at(-1) ?? 0;
  if (positives === 0 || negatives === 0) return null;
  if (dropIntermediate && fps.length > 2) {
    // Keep the ends and every point where the second difference of fps or tps is non-zero.
    const keep = fps.map(
      (_, i) =>
        i === 0 ||
        i === fps.length - 1 ||
        fps[i - 1]! - 2 * fps[i]! + fps[i + 1]! !== 0 ||
        tps[i - 1]! - 2 * tps[i]! + tps[i + 1]! !== 0,
    );
    fps = fps.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
    thresholds = thresholds.filter((_, i) => keep[i]);
  }
  return {
    fpr: [0, ...fps.map((f) => f / negatives)],
    tpr: [0, ...tps.map((t) => t / positives)],
    thresholds: [Number.POSITIVE_INFINITY, ...thresholds],
  };
}

/** Trapezoidal area under a curve whose x values do not decrease (sklearn's `auc`). */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}

/** One-vs-rest ROC curve and AUC of every class, scoring class c by its probability column. */
export function oneVsRestRoc(
  probabilities: readonly (readonly number[])[],
  labels: ArrayLike<number>,
): ClassRoc[] {
  const numClasses = probabilities[0]?.length ?? 0;
  return Array.from({ length: numClasses }, (_, c) => {
    const curve = rocCurve(
      Array.from(labels, (label) => label === c),
      probabilities.map((row) => row[c]!),
    );
    return curve
      ? { ...curve, auc: trapezoidArea(curve.fpr, curve.tpr) }
      : { fpr: [], tpr: [], thresholds: [], auc: null };
  });
}

/** Mean of the defined per-class AUCs (sklearn's `roc_auc_score(multi_class="ovr", average="macro")`). */
export function macroAuc(curves: readonly ClassRoc[]): number | null {
  const defined = curves.flatMap((c) => (c.auc === null ? [] : [c.auc]));
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}
