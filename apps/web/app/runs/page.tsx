import { roleCan } from "@cxrlab/validators/roles";
import { RUN_STATUSES } from "@cxrlab/validators/run-status";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { CheckboxFieldset } from "../../src/components/checkbox-fieldset.tsx";
import { FilterForm } from "../../src/components/filter-form.tsx";
import { RangeFieldset } from "../../src/components/range-fieldset.tsx";
import { SearchField } from "../../src/components/search-field.tsx";
import { orErrorPage } from "../../src/error-page.ts";
import { all, first, runsListInput, type SearchParams } from "../../src/search-params.ts";
import { getQueryClient, requireViewer, trpc } from "../../src/trpc/server.ts";
import { RunsTable } from "./runs-table.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireViewer();
  const params = await searchParams;
  const parsed = runsListInput(params);
  // Unknown statuses in a hand-edited URL are dropped rather than failing the whole list.
  const input = { ...parsed, status: parsed.status?.filter((s) => RUN_STATUSES.includes(s)) };
  const queryClient = getQueryClient();
  const [facets, projects] = await Promise.all([
    // A member of no project is refused the list (403 page) rather than shown an empty one.
    orErrorPage(queryClient.fetchQuery(trpc.runs.facets.queryOptions())),
    queryClient.fetchQuery(trpc.projects.list.queryOptions()),
    queryClient.prefetchQuery(trpc.runs.list.queryOptions(input)),
  ]);
  // Where the viewer may queue and cancel runs.
  const creatable = projects.filter((p) => roleCan(p.role, "runs:create")).map((p) => p.id);
  const statuses = all(params, "status");
  const presets = all(params, "preset");
  return (
    <>
      <div className="page-head">
        <h1>Runs</h1>
        {creatable.length > 0 && (
          <Link href="/runs/new" className="button primary" data-testid="new-run-link">
            New run
          </Link>
        )}
      </div>
      <FilterForm key={JSON.stringify(params)} action="/runs" testId="runs-filters">
        <SearchField
          label="Name"
          name="q"
          defaultValue={first(params, "q")}
          placeholder="Search names"
          testId="filter-q"
        />
        <CheckboxFieldset legend="Status" name="status" options={facets.statuses} checked={statuses} />
        <CheckboxFieldset legend="Preset" name="preset" options={facets.presets} checked={presets} />
        <label>
          Tag
          <select name="tag" defaultValue={first(params, "tag") ?? ""} data-testid="filter-tag">
            <option value="">any</option>
            {facets.tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="starred"
            value="1"
            defaultChecked={input.starred}
            data-testid="filter-starred"
          />
          Starred by me
        </label>
        <RangeFieldset
          legend="Created (UTC)"
          type="date"
          from={{
            name: "from",
            label: "Created from",
            defaultValue: first(params, "from"),
            testId: "filter-from",
          }}
          to={{ name: "to", label: "Created to", defaultValue: first(params, "to"), testId: "filter-to" }}
        />
        <RangeFieldset
          legend="Test accuracy %"
          type="number"
          limits={{ min: 0, max: 100, step: "any" }}
          from={{
            name: "minAcc",
            label: "Minimum test accuracy (%)",
            placeholder: "min",
            defaultValue: first(params, "minAcc"),
            testId: "filter-min-acc",
          }}
          to={{
            name: "maxAcc",
            label: "Maximum test accuracy (%)",
            placeholder: "max",
            defaultValue: first(params, "maxAcc"),
            testId: "filter-max-acc",
          }}
        />
        {input.sort && <input type="hidden" name="sort" value={input.sort} />}
        {input.dir && <input type="hidden" name="dir" value={input.dir} />}
        <button type="submit">Apply</button>
        <Link href="/runs" className="button" data-testid="filters-clear">
          Clear
        </Link>
      </FilterForm>
      <HydrationBoundary state={dehydrate(queryClient)}>
        <RunsTable input={input} params={params} cancellable={creatable} />
      </HydrationBoundary>
    </>
  );
}
