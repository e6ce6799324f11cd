import { UNCERTAIN } from "@cxrlab/validators/reviews";
import {
  type BootstrapMethod,
  type BootstrapSettings,
  bootstrap,
  type Interval,
  percentileInterval,
} from "../metrics/bootstrap.ts";
import { confusionMatrix } from "../metrics/confusion-matrix.ts";

/** One reader's label of an image: a class name, or "uncertain". */
export interface ReaderLabel {
  reader: string;
  label: string;
}

/**
 * The reference label of an image from its readers, by majority of the readers who named a class:
 * "uncertain" answers are left out of the vote; an image whose class votes tie (one reader says A,
 * another B) has no reference label and is left out of the agreement, as is one that only
 * "uncertain" answers describe.
 */
export type Consensus =
  | { status: "agreed"; label: string; readers: number; unanimous: boolean }
  | { status: "tie"; labels: string[] }
  | { status: "uncertain" };

export function readersConsensus(labels: readonly ReaderLabel[]): Consensus {
  const votes = new Map<string, number>();
  for (const { label } of labels) if (label !== UNCERTAIN) votes.set(label, (votes.get(label) ?? 0) + 1);
  if (votes.size === 0) return { status: "uncertain" };
  const most = Math.max(...votes.values());
  const leaders = [...votes].filter(([, n]) => n === most).map(([label]) => label);
  if (leaders.length > 1) return { status: "tie", labels: leaders.sort() };
  const readers = [...votes.values()].reduce((a, b) => a + b, 0);
  return { status: "agreed", label: leaders[0]!, readers, unanimous: votes.size === 1 };
}

/** A model's prediction of an image beside its readers' reference label. */
export interface AgreementCase {
  predicted: string;
  reference: string;
  /** Resampled together with the other cases of the same key (the image's patient); null: alone. */
  group: string | null;
}

export interface ClassAgreement {
  name: string;
  /** Of the images the readers gave this class, the share the model predicted as it. */
  recall: Interval;
  support: number;
}

export interface Agreement extends BootstrapMethod {
  cases: number;
  accuracy: Interval;
  classes: ClassAgreement[];
  /** Rows: the readers' label; columns: the model's, in `classNames` order. */
  confusion: number[][];
}

/**
 * Accuracy, each class's recall and the confusion matrix of the model against the readers, with
 * percentile bootstrap intervals resampled by group (the patient) when groups are given. Labels
 * outside `classNames` (a reader's class the run does not know) are an error naming them.
 */
export function agreementWithReaders(
  cases: readonly AgreementCase[],
  classNames: readonly string[],
  settings: Omit<BootstrapSettings, "grouping"> = {},
): Agreement | null {
  if (cases.length === 0) return null;
  const index = (name: string) => {
    const i = classNames.indexOf(name);
    if (i < 0)
      throw new Error(`monitoring: label "${name}" is not one of the run's classes ${classNames.join(", ")}`);
    return i;
  };
  const truth = cases.map((c) => index(c.reference));
  const predicted = cases.map((c) => index(c.predicted));
  const grouped = cases.some((c) => c.group !== null);
  const statistic = (indices: readonly number[]) => {
    const correct = indices.filter((i) => truth[i] === predicted[i]).length;
    return {
      accuracy: correct / indices.length,
      recall: classNames.map((_, c) => {
        const of = indices.filter((i) => truth[i] === c);
        return of.length === 0 ? null : of.filter((i) => predicted[i] === c).length / of.length;
      }),
    };
  };
  const { method, estimate, draws } = bootstrap(cases.length, statistic, {
    ...settings,
    grouping: grouped ? { keys: cases.map((c) => c.group), source: "patient" } : null,
  });
  return {
    ...method,
    cases: cases.length,
    accuracy: percentileInterval(
      estimate.accuracy,
      draws.map((d) => d.accuracy),
      method.level,
      "no images",
    ),
    classes: classNames.map((name, c) => ({
      name,
      support: truth.filter((t) => t === c).length,
      recall: percentileInterval(
        estimate.recall[c] ?? null,
        draws.map((d) => d.recall[c] ?? null),
        method.level,
        `no images the readers called "${name}"`,
      ),
    })),
    confusion: confusionMatrix(truth, predicted, classNames.length),
  };
}
