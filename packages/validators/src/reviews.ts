/**
 * Reviews of predictions: what a reviewer may answer, and which class is the non-urgent one.
 * A run's classes come from its data; the only name this file knows is "Normal".
 */

/** The answer for an image the reviewer cannot call: beside the run's own classes. */
export const UNCERTAIN = "uncertain";

/** The class a worklist puts last: named Normal in any case (the datasets name it so). */
export function isNormalClass(name: string): boolean {
  return name.toLowerCase() === "normal";
}

/**
 * How urgent a prediction is: the highest probability of a class other than Normal; for a run
 * without a Normal class, its highest probability. Finite probabilities only (non-finite count 0).
 */
export function urgencyOf(probabilities: Readonly<Record<string, number>>): number {
  const entries = Object.entries(probabilities).map(
    ([name, p]) => [name, Number.isFinite(p) ? p : 0] as const,
  );
  const others = entries.some(([name]) => isNormalClass(name))
    ? entries.filter(([name]) => !isNormalClass(name))
    : entries;
  return Math.max(0, ...others.map(([, p]) => p));
}

/** The labels a review may carry for a run with these classes. */
export function reviewLabels(classNames: readonly string[]): string[] {
  return [...classNames, UNCERTAIN];
}
