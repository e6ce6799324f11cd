/**
 * URL query parameters -> procedure inputs, on the server (links.ts builds the URLs). Every filter,
 * sort and page lives in the URL so that a view can be linked and reloaded. Percentages in the URL
 * (minAcc=90) are fractions in the API (0.9).
 */

import { RUN_SORT_KEYS, type RunSortKey } from "@cxrlab/db";
import type { RunStatus } from "@cxrlab/validators/run-status";
import type { SearchParams } from "./links.ts";

export type { SearchParams };

export function first(params: SearchParams, key: string): string | undefined {
  const value = params[key];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === "" ? undefined : text.trim();
}

/** Repeated (`status=a&status=b`) and comma-separated (`status=a,b`) values alike. */
export function all(params: SearchParams, key: string): string[] {
  const value = params[key];
  const texts = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return texts
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

function nonEmpty(values: string[]): string[] | undefined {
  return values.length > 0 ? values : undefined;
}

function number(params: SearchParams, key: string): number | undefined {
  const text = first(params, key);
  const value = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function fraction(params: SearchParams, key: string): number | undefined {
  const value = number(params, key);
  return value === undefined ? undefined : Math.min(1, Math.max(0, value / 100));
}

/** A percentage range as fractions, swapped into order if given backwards (the API rejects min > max). */
function fractionRange(params: SearchParams, minKey: string, maxKey: string): [number?, number?] {
  const min = fraction(params, minKey);
  const max = fraction(params, maxKey);
  return min !== undefined && max !== undefined && min > max ? [max, min] : [min, max];
}

function page(params: SearchParams): number {
  const value = number(params, "page");
  return value !== undefined && Number.isInteger(value) && value >= 1 ? value : 1;
}

function direction(params: SearchParams): "asc" | "desc" | undefined {
  const dir = first(params, "dir");
  return dir === "asc" || dir === "desc" ? dir : undefined;
}

/** A `yyyy-mm-dd` day; the API reads a day-only upper bound as "through the end of that day" (UTC). */
function day(params: SearchParams, key: string): string | undefined {
  const text = first(params, key);
  return text && /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) ? text : undefined;
}

export const RUNS_PAGE_SIZE = 50;

export function runsListInput(params: SearchParams) {
  const sort = first(params, "sort");
  const [minAccuracy, maxAccuracy] = fractionRange(params, "minAcc", "maxAcc");
  return {
    q: first(params, "q"),
    status: nonEmpty(all(params, "status")) as RunStatus[] | undefined,
    preset: nonEmpty(all(params, "preset")),
    tag: first(params, "tag"),
    starred: first(params, "starred") === "1" ? true : undefined,
    createdFrom: day(params, "from"),
    createdTo: day(params, "to"),
    minAccuracy,
    maxAccuracy,
    sort: RUN_SORT_KEYS.includes(sort as RunSortKey) ? (sort as RunSortKey) : undefined,
    dir: direction(params),
    page: page(params),
    pageSize: RUNS_PAGE_SIZE,
  };
}

export const PREDICTIONS_PAGE_SIZE = 48;
/** The API's largest page. */
const MAX_PAGE_SIZE = 100;

function pageSize(params: SearchParams, fallback: number): number {
  const value = number(params, "size");
  return value !== undefined && Number.isInteger(value) && value >= 1
    ? Math.min(value, MAX_PAGE_SIZE)
    : fallback;
}

export function predictionsInput(runId: number, params: SearchParams) {
  const sort = first(params, "sort");
  const [minConfidence, maxConfidence] = fractionRange(params, "minConf", "maxConf");
  return {
    runId,
    misclassified: first(params, "misclassified") === "1" ? true : undefined,
    trueLabel: first(params, "true"),
    predictedLabel: first(params, "pred"),
    minConfidence,
    maxConfidence,
    sort: sort === "confidence" || sort === "imageId" ? (sort as "confidence" | "imageId") : undefined,
    dir: direction(params),
    page: page(params),
    pageSize: pageSize(params, PREDICTIONS_PAGE_SIZE),
  };
}

/** Run ids from `ids=1,2,3` or `ids=1&ids=2`, deduplicated, in order. */
export function compareIds(params: SearchParams): number[] {
  const ids = all(params, "ids")
    .map(Number)
    .filter((id) => Number.isSafeInteger(id) && id > 0);
  return [...new Set(ids)];
}

export const PATIENTS_PAGE_SIZE = 50;

export function patientsInput(params: SearchParams) {
  return { q: first(params, "q"), page: page(params), pageSize: pageSize(params, PATIENTS_PAGE_SIZE) };
}

export const WORKLIST_PAGE_SIZE = 50;
const WORKLIST_STATUS = ["unreviewed", "reviewed", "all"] as const;

/** The worklist's query; `project` defaults (in the page) to the first project the viewer reviews in. */
export function worklistInput(projectId: number, params: SearchParams) {
  const status = first(params, "status");
  const run = number(params, "run");
  return {
    projectId,
    runId: run !== undefined && Number.isInteger(run) && run > 0 ? run : undefined,
    status: WORKLIST_STATUS.find((s) => s === status) ?? "unreviewed",
    predictedLabel: first(params, "pred"),
    minConfidence: fraction(params, "minConf"),
    from: day(params, "from"),
    to: day(params, "to"),
    page: page(params),
    pageSize: pageSize(params, WORKLIST_PAGE_SIZE),
  };
}
