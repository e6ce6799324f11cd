import { first, type SearchParams } from "../../src/search-params.ts";

export const AUDIT_PAGE_SIZE = 50;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The audit page's URL query (project, actor, action, from, to: yyyy-mm-dd) as the filters of audit.list and the export. */
export function auditFilters(params: SearchParams) {
  const project = Number(first(params, "project"));
  const from = first(params, "from");
  const to = first(params, "to");
  return {
    projectId: Number.isSafeInteger(project) && project > 0 ? project : undefined,
    actor: first(params, "actor"),
    action: first(params, "action"),
    from: from && DAY.test(from) ? from : undefined,
    to: to && DAY.test(to) ? to : undefined,
  };
}

export function auditListInput(params: SearchParams) {
  const page = Number(first(params, "page"));
  return {
    ...auditFilters(params),
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    pageSize: AUDIT_PAGE_SIZE,
  };
}

/** The export's URL for the same filters. */
export function exportHref(params: SearchParams, format: "csv" | "jsonl"): string {
  const query = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(auditFilters(params))) {
    if (value !== undefined) query.set(key, String(value));
  }
  return `/api/audit/export?${query}`;
}
