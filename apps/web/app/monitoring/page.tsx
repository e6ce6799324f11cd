import { parseTimeWindow } from "@cxrlab/core/monitoring";
import { roleCan } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "../../src/components/filter-form.tsx";
import { MonitoringReport } from "../../src/components/monitoring-report.tsx";
import { orErrorPage } from "../../src/error-page.ts";
import { dateTime } from "../../src/format.ts";
import { first, type SearchParams } from "../../src/search-params.ts";
import { getCaller } from "../../src/trpc/server.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Monitoring" };

/** Why a window from the URL is refused, or null. */
function windowError(text: string): string | null {
  try {
    parseTimeWindow(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export default async function MonitoringPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const caller = await getCaller();
  const projects = (await caller.projects.list()).filter((p) => roleCan(p.role, "monitoring:read"));
  const chosen = Number(first(params, "project"));
  const project = projects.find((p) => p.id === chosen) ?? projects[0];
  if (!project)
    return (
      <>
        <h1>Monitoring</h1>
        <p className="empty" data-testid="monitoring-none">
          Monitoring needs the researcher, clinician or admin role in a project; you have it in none.
        </p>
      </>
    );
  const asked = first(params, "window") ?? "week";
  const badWindow = windowError(asked);
  const window = badWindow ? "week" : asked;
  const run = Number(first(params, "run"));
  const result = await orErrorPage(
    caller.monitoring.project({
      projectId: project.id,
      window,
      ...(Number.isInteger(run) && run > 0 ? { runId: run } : {}),
    }),
  );
  const shown = result.monitoring;
  return (
    <>
      <div className="page-head">
        <h1>Monitoring</h1>
        <span className="muted" data-testid="monitoring-model">
          {shown ? (
            <>
              <Link href={`/runs/${shown.run.id}`}>
                {shown.run.name} (run {shown.run.id})
              </Link>
              {result.defaultModel?.runId === shown.run.id
                ? `, default model since ${dateTime(result.defaultModel.promotedAt)}`
                : ""}
            </>
          ) : (
            "no model"
          )}
        </span>
      </div>
      <FilterForm key={JSON.stringify(params)} action="/monitoring" testId="monitoring-filters">
        <label>
          Project
          <select name="project" defaultValue={project.id} data-testid="monitoring-project">
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select name="run" defaultValue={shown?.run.id ?? ""} data-testid="monitoring-run">
            <option value="">default model</option>
            {result.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} (run {r.id}){r.id === result.defaultModel?.runId ? " · default" : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Window
          <input
            name="window"
            defaultValue={window}
            list="monitoring-windows"
            style={{ width: "6rem" }}
            data-testid="monitoring-window-input"
          />
          <datalist id="monitoring-windows">
            <option value="week" />
            <option value="month" />
            <option value="14d" />
          </datalist>
        </label>
        <button type="submit">Show</button>
      </FilterForm>
      {badWindow && (
        <p className="error-box" data-testid="monitoring-window-error">
          {badWindow}; showing weeks.
        </p>
      )}
      {shown ? (
        <MonitoringReport monitoring={shown} />
      ) : (
        <p className="empty" data-testid="monitoring-empty">
          {project.name} has no default model yet: promote a run (its page, Promote to default model) or pick
          one that predicted the project's images.
        </p>
      )}
    </>
  );
}
