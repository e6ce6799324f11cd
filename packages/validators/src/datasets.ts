/**
 * Dataset names and references: a version is named NAME@VERSION (e.g. `ward-reviews@2`), version
 * numbers counting from 1 per name within a project.
 */

/** A dataset name: letters, digits, `.`, `_` and `-`, starting with a letter or digit (no `@`). */
export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function datasetNameProblem(name: string): string | null {
  return DATASET_NAME.test(name)
    ? null
    : `dataset name "${name}": use up to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`;
}

export interface DatasetRef {
  name: string;
  version: number;
}

/** Parses NAME@VERSION; throws saying what a reference looks like. */
export function parseDatasetRef(ref: string): DatasetRef {
  const match = /^(.+)@([1-9][0-9]{0,8})$/.exec(ref);
  if (!match || datasetNameProblem(match[1]!))
    throw new Error(`dataset "${ref}": expected NAME@VERSION, e.g. ward-reviews@1`);
  return { name: match[1]!, version: Number(match[2]) };
}

export const formatDatasetRef = (ref: DatasetRef): string => `${ref.name}@${ref.version}`;
