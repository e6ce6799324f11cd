import {
  type BootstrapMethod,
  type BootstrapSettings,
  bootstrap,
  type Interval,
  percentileInterval,
} from "./bootstrap.ts";
import { mcnemarExact } from "./mcnemar.ts";

/** Two models scored on the same examples: accuracies, their difference and whether it is real. */
export interface PairedComparison extends BootstrapMethod {
  n: number;
  accuracyA: number;
  accuracyB: number;
  /** accuracyA - accuracyB with its paired bootstrap interval. */
  difference: Interval;
  /** Discordant pairs: examples only A gets right (b) and only B gets right (c). */
  b: number;
  c: number;
  /** Exact two-sided McNemar p-value on b and c. */
  mcnemarP: number;
}

/**
 * Compares two models' right/wrong on the same examples (index i is one example for both). The
 * interval resamples examples (or groups) once for both models, keeping the pairing.
 */
export function comparePairedAccuracy(
  correctA: readonly boolean[],
  correctB: readonly boolean[],
  settings: BootstrapSettings = {},
): PairedComparison {
  if (correctA.length !== correctB.length) {
    throw new Error(`metrics: model A has ${correctA.length} results but model B has ${correctB.length}`);
  }
  // Per example: +1 only A right, -1 only B right, 0 both or neither.
  const gain = correctA.map((a, i) => Number(a) - Number(correctB[i]));
  const difference = (indices: readonly number[]) =>
    indices.reduce((sum, i) => sum + gain[i]!, 0) / indices.length;
  const { method, estimate, draws } = bootstrap(gain.length, difference, settings);
  const n = gain.length;
  const b = gain.filter((g) => g === 1).length;
  const c = gain.filter((g) => g === -1).length;
  return {
    ...method,
    n,
    accuracyA: correctA.filter(Boolean).length / n,
    accuracyB: correctB.filter(Boolean).length / n,
    difference: percentileInterval(estimate, draws, method.level, "no examples"),
    b,
    c,
    mcnemarP: mcnemarExact(b, c),
  };
}
