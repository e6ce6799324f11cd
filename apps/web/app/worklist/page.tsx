import { roleCan } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "../../src/components/filter-form.tsx";
import { Pager } from "../../src/components/pager.tsx";
import { orErrorPage } from "../../src/error-page.ts";
import { first, type SearchParams, worklistInput } from "../../src/search-params.ts";
import { getCaller } from "../../src/trpc/server.ts";
import { ReviewDesk } from "./review-desk.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Worklist" };

export default async function WorklistPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const caller = await getCaller();
  const projects = (await caller.projects.list()).filter((p) => roleCan(p.role, "images:review"));
  const chosen = Number(first(params, "project"));
  const project = projects.find((p) => p.id === chosen) ?? projects[0];
  if (!project)
    return (
      <>
        <h1>Worklist</h1>
        <p className="empty" data-testid="worklist-none">
          Reviewing needs the clinician or admin role in a project; you have it in none.
        </p>
      </>
    );
  const input = worklistInput(project.id, params);
  const result = await orErrorPage(caller.reviews.worklist(input));
  const classNames = result.run?.classNames ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Worklist</h1>
        <span className="muted">
          <span data-testid="worklist-total">{result.total.toLocaleString("en-US")}</span>{" "}
          {input.status === "reviewed" ? "reviewed by you" : input.status === "all" ? "images" : "to review"}
          {result.run ? (
            <>
              {" "}
              · predictions of{" "}
              <Link href={`/runs/${result.run.id}`} data-testid="worklist-run">
                {result.run.name} (run {result.run.id})
              </Link>
            </>
          ) : null}
        </span>
      </div>
      <FilterForm key={JSON.stringify(params)} action="/worklist" testId="worklist-filters">
        <label>
          Project
          <select name="project" defaultValue={project.id} data-testid="worklist-project">
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show
          <select name="status" defaultValue={input.status} data-testid="worklist-status">
            <option value="unreviewed">not reviewed by me</option>
            <option value="reviewed">reviewed by me</option>
            <option value="all">all</option>
          </select>
        </label>
        <label>
          Predicted
          <select name="pred" defaultValue={input.predictedLabel ?? ""} data-testid="worklist-class">
            <option value="">any class</option>
            {classNames.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Min confidence %
          <input
            type="number"
            name="minConf"
            min={0}
            max={100}
            defaultValue={first(params, "minConf")}
            style={{ width: "5rem" }}
            data-testid="worklist-min-confidence"
          />
        </label>
        <label>
          Study from
          <input type="date" name="from" defaultValue={input.from} data-testid="worklist-from" />
        </label>
        <label>
          to
          <input type="date" name="to" defaultValue={input.to} data-testid="worklist-to" />
        </label>
        {input.runId && <input type="hidden" name="run" value={input.runId} />}
        <button type="submit">Filter</button>
        <Link href={`/worklist?project=${project.id}`} className="button">
          Clear
        </Link>
      </FilterForm>
      {result.run === null ? (
        <p className="empty" data-testid="worklist-empty">
          No model of {project.name} has predicted its patients' images yet: promote a run and predict (cxrlab
          predict --patient ID).
        </p>
      ) : result.items.length === 0 ? (
        <p className="empty" data-testid="worklist-empty">
          Nothing {input.status === "unreviewed" ? "left to review" : "matches"} here.
        </p>
      ) : (
        <ReviewDesk
          key={JSON.stringify(params)}
          runId={result.run.id}
          classNames={classNames}
          items={result.items}
        />
      )}
      {result.total > result.pageSize && (
        <Pager path="/worklist" params={params} list={result} noun="images" />
      )}
    </>
  );
}
