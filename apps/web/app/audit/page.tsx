import { roleCan } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "../../src/components/filter-form.tsx";
import { Pager } from "../../src/components/pager.tsx";
import { SearchField } from "../../src/components/search-field.tsx";
import { orErrorPage } from "../../src/error-page.ts";
import { dateTime } from "../../src/format.ts";
import { first, type SearchParams } from "../../src/search-params.ts";
import { getCaller } from "../../src/trpc/server.ts";
import { auditListInput, exportHref } from "./audit-params.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

function target(event: { targetType: string | null; targetId: string | null }): string {
  if (!event.targetType) return "—";
  return event.targetId ? `${event.targetType} ${event.targetId}` : event.targetType;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const input = auditListInput(params);
  const caller = await getCaller();
  const [result, projects] = await Promise.all([
    orErrorPage(caller.audit.list(input)),
    caller.projects.list(),
  ]);
  const audited = projects.filter((p) => roleCan(p.role, "audit:read"));
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <span className="muted">
          <span data-testid="audit-total">{result.total.toLocaleString("en-US")}</span> event
          {result.total === 1 ? "" : "s"} match
        </span>
      </div>
      <FilterForm key={JSON.stringify(params)} action="/audit" testId="audit-filters">
        <label>
          Project
          <select name="project" defaultValue={first(params, "project") ?? ""}>
            <option value="">all I audit</option>
            {audited.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <SearchField
          label="Actor email"
          name="actor"
          defaultValue={first(params, "actor")}
          placeholder="part of an email"
        />
        <SearchField
          label="Action"
          name="action"
          defaultValue={first(params, "action")}
          placeholder="e.g. member.set or patient."
          testId="audit-action"
        />
        <label>
          From
          <input type="date" name="from" defaultValue={input.from} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={input.to} />
        </label>
        <button type="submit">Apply</button>
        <Link href="/audit" className="button">
          Clear
        </Link>
      </FilterForm>
      <div className="toolbar">
        <span className="muted">Export these events (oldest first):</span>
        <a className="button" href={exportHref(params, "csv")} data-testid="export-csv">
          CSV
        </a>
        <a className="button" href={exportHref(params, "jsonl")} data-testid="export-jsonl">
          JSON Lines
        </a>
      </div>
      <div className="table-scroll">
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Target</th>
              <th>Project</th>
              <th>From</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((e) => (
              <tr key={e.id} data-testid="audit-row">
                <td className="nowrap">{dateTime(e.createdAt)}</td>
                <td>{e.actorEmail ?? <span className="muted">{e.userAgent ?? "—"}</span>}</td>
                <td className="nowrap" data-testid="audit-row-action">
                  {e.action}
                </td>
                <td className="nowrap">{target(e)}</td>
                <td>{e.projectId === null ? "—" : (projectName.get(e.projectId) ?? e.projectId)}</td>
                <td className="nowrap">{e.ip ?? "—"}</td>
                <td>{e.details === null ? "—" : <code>{JSON.stringify(e.details)}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {result.items.length === 0 && <p className="empty">No events match.</p>}
      </div>
      {result.total > result.pageSize && <Pager path="/audit" params={params} list={result} noun="events" />}
    </>
  );
}
