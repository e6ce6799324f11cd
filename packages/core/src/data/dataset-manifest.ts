import { createHash } from "node:crypto";

/** Where a dataset entry came from: a reviewed archive image, or a labelled folder (`--include`). */
export const DATASET_SOURCES = ["review", "folder"] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

/** One image of a dataset version's manifest. */
export interface DatasetManifestEntry {
  sha256: string;
  /** Its class, the name of its folder when the dataset is laid out in Keras' layout. */
  label: string;
  /** The patient's key; null when unknown (the image is then a split group of its own). */
  patient: string | null;
  source: DatasetSource;
}

/**
 * The fingerprint of a manifest: SHA-256 over its entries, one line each (`sha256 TAB label TAB
 * patient TAB source`), sorted, so the same content gives the same fingerprint in any order.
 */
export function datasetManifestFingerprint(entries: readonly DatasetManifestEntry[]): string {
  const lines = entries.map((e) => [e.sha256, e.label, e.patient ?? "", e.source].join("\t")).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}

/** Why reviews give an image no label. */
export const REVIEW_EXCLUSIONS = ["too few reviews", "uncertain", "reviewers disagree"] as const;
export type ReviewExclusion = (typeof REVIEW_EXCLUSIONS)[number];

/**
 * The label an image's reviews give it: at least `minReviewers` reviews, all naming one class. Any
 * `uncertain` review, or two different classes, leaves it out.
 */
export function labelFromReviews(
  labels: readonly string[],
  minReviewers: number,
  uncertain: string,
): { label: string } | { excluded: ReviewExclusion } {
  if (labels.length < minReviewers || labels.length === 0) return { excluded: "too few reviews" };
  if (labels.includes(uncertain)) return { excluded: "uncertain" };
  if (new Set(labels).size > 1) return { excluded: "reviewers disagree" };
  return { label: labels[0]! };
}

/** A label that cannot be a class folder's name (a path separator, `.`/`..`, empty). */
export function classFolderProblem(label: string): string | null {
  return label === "" || label === "." || label === ".." || /[/\\\0]/.test(label)
    ? `label "${label}" cannot name a class folder`
    : null;
}
