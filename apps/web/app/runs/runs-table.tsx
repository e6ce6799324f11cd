"use client";

import type { RouterInputs } from "@cxrlab/api";
import type { RunSortKey as RunSort } from "@cxrlab/db";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { CancelRunButton } from "../../src/components/cancel-run-button.tsx";
import { Pager } from "../../src/components/pager.tsx";
import { RunProgress } from "../../src/components/run-progress.tsx";
import { StatusBadge } from "../../src/components/status-badge.tsx";
import { dateTime, fixed, percent } from "../../src/format.ts";
import { hrefWith, type SearchParams } from "../../src/links.ts";
import { useTRPC } from "../../src/trpc/client.tsx";

/** How often the list polls while a run is queued or running. */
const LIVE_REFRESH_MS = 3000;

// The figures people compare come right after the name, so a phone shows them before scrolling.
const COLUMNS: { label: string; sort?: RunSort; numeric?: boolean }[] = [
  { label: "Run", sort: "name" },
  { label: "Test accuracy", sort: "testAccuracy", numeric: true },
  { label: "Status", sort: "status" },
  { label: "Best val. loss", sort: "bestValLoss", numeric: true },
  { label: "Epochs", numeric: true },
  { label: "Preset", sort: "preset" },
  { label: "Tags" },
  { label: "Backend" },
  { label: "Created", sort: "createdAt" },
];

function SortHeader({
  column,
  params,
  sort,
  dir,
}: {
  column: (typeof COLUMNS)[number];
  params: SearchParams;
  sort: RunSort;
  dir: "asc" | "desc";
}) {
  if (!column.sort) return <th className={column.numeric ? "num" : undefined}>{column.label}</th>;
  const active = column.sort === sort;
  const next = active && dir === "desc" ? "asc" : active ? "desc" : column.sort === "name" ? "asc" : "desc";
  return (
    <th
      className={column.numeric ? "num" : undefined}
      aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
    >
      <Link
        href={hrefWith("/runs", params, { sort: column.sort, dir: next })}
        data-testid={`sort-${column.sort}`}
        aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
      >
        {column.label}
        {active ? (dir === "asc" ? " ▲" : " ▼") : ""}
      </Link>
    </th>
  );
}

/**
 * The runs table. Its data was prefetched on the server; while any run is queued or running the
 * query polls, so progress bars and statuses move without a reload.
 */
export function RunsTable({
  input,
  params,
  cancellable,
}: {
  input: Extract<RouterInputs["runs"]["list"], object>;
  params: SearchParams;
  /** Projects where the viewer may cancel runs. */
  cancellable: number[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const { data, error, refetch } = useQuery(
    trpc.runs.list.queryOptions(input, {
      refetchInterval: (query) =>
        query.state.data?.items.some((r) => r.status === "running" || r.status === "queued")
          ? LIVE_REFRESH_MS
          : false,
    }),
  );
  const [selected, setSelected] = useState<number[]>([]);
  if (error) return <p className="error-box">Could not load runs: {error.message}</p>;
  if (!data) return <p className="muted">Loading runs…</p>;
  const sort = input.sort ?? "createdAt";
  const dir = input.dir ?? (sort === "name" ? "asc" : "desc");
  const toggle = (id: number) =>
    setSelected((ids) => (ids.includes(id) ? ids.filter((i) => i !== id) : [...ids, id]));
  return (
    <>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          disabled={selected.length < 2}
          data-testid="compare-button"
          onClick={() => router.push(`/compare?ids=${selected.join(",")}`)}
        >
          Compare {selected.length > 0 ? `${selected.length} runs` : "runs"}
        </button>
        <span className="muted">
          {selected.length < 2 ? "Pick two or more runs to compare. " : ""}
          <span data-testid="runs-total">{data.total}</span> run{data.total === 1 ? "" : "s"} match.
        </span>
      </div>
      <div className="table-scroll">
        <table data-testid="runs-table">
          <thead>
            <tr>
              <th aria-label="Select" />
              <th className="num">#</th>
              {COLUMNS.map((c) => (
                <SortHeader key={c.label} column={c} params={params} sort={sort} dir={dir} />
              ))}
            </tr>
          </thead>
          <tbody>
            {data.items.map((run) => (
              <tr key={run.id} data-testid="run-row" data-run-id={run.id} data-status={run.status}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select run ${run.id}`}
                    checked={selected.includes(run.id)}
                    onChange={() => toggle(run.id)}
                    data-testid="run-select"
                  />
                </td>
                <td className="num">{run.id}</td>
                <td className="nowrap">
                  <Link href={`/runs/${run.id}`} data-testid="run-link">
                    {run.name}
                  </Link>
                  {run.defaultModel && (
                    <span
                      className="status status-default"
                      title="The project's default model"
                      data-testid="default-badge"
                    >
                      Default
                    </span>
                  )}
                </td>
                <td className="num" data-testid="run-accuracy">
                  {percent(run.testAccuracy)}
                </td>
                <td>
                  <StatusBadge status={run.status} />
                  {run.progress && (run.status === "running" || run.status === "queued") && (
                    <RunProgress progress={run.progress} />
                  )}
                  {(run.status === "running" || run.status === "queued") &&
                    run.projectId !== null &&
                    cancellable.includes(run.projectId) && (
                      <CancelRunButton runId={run.id} onCancelled={() => refetch()} />
                    )}
                </td>
                <td className="num" data-testid="run-val-loss">
                  {fixed(run.bestValLoss)}
                </td>
                <td className="num">
                  {run.epochsDone}/{run.epochsPlanned}
                </td>
                <td>{run.preset}</td>
                <td>
                  {run.tags.map((t) => (
                    <Link key={t} className="tag" href={hrefWith("/runs", params, { tag: t })}>
                      {t}
                    </Link>
                  ))}
                </td>
                <td>{run.backend ?? "—"}</td>
                <td className="num">{dateTime(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.items.length === 0 && <p className="empty">No runs match these filters.</p>}
      </div>
      {data.total > data.pageSize && <Pager path="/runs" params={params} list={data} noun="runs" />}
    </>
  );
}
