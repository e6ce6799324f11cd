import { roleCan } from "@cxrlab/validators/roles";
import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "../../src/components/filter-form.tsx";
import { Pager } from "../../src/components/pager.tsx";
import { SearchField } from "../../src/components/search-field.tsx";
import { orErrorPage } from "../../src/error-page.ts";
import { day, personName } from "../../src/format.ts";
import { first, patientsInput, type SearchParams } from "../../src/search-params.ts";
import { getCaller } from "../../src/trpc/server.ts";
import { UploadForm } from "./upload-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Patients" };

export default async function PatientsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const input = patientsInput(params);
  const caller = await getCaller();
  const result = await orErrorPage(caller.patients.search(input));
  const uploadTo = (await caller.projects.list()).filter((p) => roleCan(p.role, "patients:write"));
  return (
    <>
      <div className="page-head">
        <h1>Patients</h1>
        <span className="muted">
          <span data-testid="patients-total">{result.total.toLocaleString("en-US")}</span> patient
          {result.total === 1 ? "" : "s"} match
        </span>
      </div>
      {uploadTo.length > 0 ? <UploadForm projects={uploadTo.map(({ id, name }) => ({ id, name }))} /> : null}
      <FilterForm key={JSON.stringify(params)} action="/patients" testId="patient-filters">
        <SearchField
          label="Patient ID or name"
          name="q"
          defaultValue={first(params, "q")}
          placeholder="e.g. PAT-001 or DOE"
          testId="patient-search"
        />
        {first(params, "size") && <input type="hidden" name="size" value={input.pageSize} />}
        <button type="submit">Search</button>
        <Link href="/patients" className="button">
          Clear
        </Link>
      </FilterForm>
      <div className="table-scroll">
        <table data-testid="patients-table">
          <thead>
            <tr>
              <th>Patient ID</th>
              <th>Issuer</th>
              <th>Name</th>
              <th className="num">Studies</th>
              <th className="num">Images</th>
              <th className="num">Last study</th>
            </tr>
          </thead>
          <tbody>
            {result.items.map((p) => (
              <tr key={p.id} data-testid="patient-row" data-patient-id={p.id}>
                <td className="nowrap">
                  <Link href={`/patients/${p.id}`} data-testid="patient-link">
                    {p.patientId}
                  </Link>
                </td>
                <td data-testid="patient-issuer">{p.issuer || "—"}</td>
                <td data-testid="patient-name">{personName(p.name)}</td>
                <td className="num" data-testid="patient-studies">
                  {p.studyCount}
                </td>
                <td className="num" data-testid="patient-images">
                  {p.imageCount}
                </td>
                <td className="num" data-testid="patient-last-study">
                  {day(p.lastStudyDate)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {result.items.length === 0 && (
          <p className="empty">
            {input.q
              ? `No patient's ID or name contains "${input.q}".`
              : `No patients yet: add images ${uploadTo.length > 0 ? "above or " : ""}with cxrlab ingest.`}
          </p>
        )}
      </div>
      {result.total > result.pageSize && (
        <Pager path="/patients" params={params} list={result} noun="patients" />
      )}
    </>
  );
}
