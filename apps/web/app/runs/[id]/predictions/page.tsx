import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "../../../../src/components/filter-form.tsx";
import { Pager } from "../../../../src/components/pager.tsx";
import { idParam, orErrorPage } from "../../../../src/error-page.ts";
import { percent } from "../../../../src/format.ts";
import { hrefWith } from "../../../../src/links.ts";
import { first, predictionsInput, type SearchParams } from "../../../../src/search-params.ts";
import { getCaller } from "../../../../src/trpc/server.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Predictions of run ${(await params).id}` };
}

/** Quick confidence bands, as [label, minConf, maxConf] in percent. */
const BANDS: [string, string | null, string | null][] = [
  ["any", null, null],
  ["< 50%", null, "50"],
  ["50–80%", "50", "80"],
  ["80–95%", "80", "95"],
  ["≥ 95%", "95", null],
];

function ClassSelect({
  name,
  label,
  value,
  classes,
}: {
  name: string;
  label: string;
  value?: string;
  classes: string[];
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value ?? ""} data-testid={`filter-${name}`}>
        <option value="">any</option>
        {classes.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
}

export default async function PredictionsPage({ params, searchParams }: Props) {
  const runId = idParam((await params).id);
  const query = await searchParams;
  const input = predictionsInput(runId, query);
  const caller = await getCaller();
  const [run, page] = await Promise.all([
    orErrorPage(caller.runs.get({ id: runId })),
    orErrorPage(caller.predictions.list(input)),
  ]);
  const path = `/runs/${runId}/predictions`;
  const minConf = first(query, "minConf") ?? null;
  const maxConf = first(query, "maxConf") ?? null;
  return (
    <>
      <div className="crumbs">
        <Link href="/runs">Runs</Link> /{" "}
        <Link href={`/runs/${runId}`}>
          #{runId} {run.name}
        </Link>{" "}
        / predictions
      </div>
      <div className="page-head">
        <h1>Predictions</h1>
        <span className="muted">
          <span data-testid="predictions-total">{page.total.toLocaleString("en-US")}</span> of{" "}
          <span data-testid="predictions-count">{run.predictionCount.toLocaleString("en-US")}</span>{" "}
          predictions match
        </span>
      </div>
      <FilterForm key={JSON.stringify(query)} action={path} testId="prediction-filters">
        <label style={{ flexDirection: "row", alignItems: "center", gap: "0.3rem", color: "inherit" }}>
          <input
            type="checkbox"
            name="misclassified"
            value="1"
            defaultChecked={input.misclassified === true}
            data-testid="filter-misclassified"
          />
          Misclassified only
        </label>
        <ClassSelect name="true" label="True class" value={input.trueLabel} classes={page.classNames} />
        <ClassSelect
          name="pred"
          label="Predicted class"
          value={input.predictedLabel}
          classes={page.classNames}
        />
        <fieldset>
          <legend>Confidence %</legend>
          <div className="range">
            <input
              type="number"
              name="minConf"
              min={0}
              max={100}
              step="any"
              placeholder="min"
              aria-label="Minimum confidence (%)"
              defaultValue={minConf ?? undefined}
              data-testid="filter-min-conf"
            />
            –
            <input
              type="number"
              name="maxConf"
              min={0}
              max={100}
              step="any"
              placeholder="max"
              aria-label="Maximum confidence (%)"
              defaultValue={maxConf ?? undefined}
              data-testid="filter-max-conf"
            />
          </div>
        </fieldset>
        <label>
          Sort by
          <select name="sort" defaultValue={input.sort ?? "confidence"} data-testid="sort-key">
            <option value="confidence">confidence</option>
            <option value="imageId">image id</option>
          </select>
        </label>
        <label>
          Order
          <select name="dir" defaultValue={input.dir ?? "desc"} data-testid="sort-dir">
            <option value="desc">descending</option>
            <option value="asc">ascending</option>
          </select>
        </label>
        {first(query, "size") && <input type="hidden" name="size" value={input.pageSize} />}
        <button type="submit">Apply</button>
        <Link href={path} className="button">
          Clear
        </Link>
      </FilterForm>
      <p className="toolbar" data-testid="confidence-bands">
        Confidence:
        {BANDS.map(([label, min, max]) => {
          const active = min === minConf && max === maxConf;
          return active ? (
            <strong key={label}>{label}</strong>
          ) : (
            <Link key={label} href={hrefWith(path, query, { minConf: min, maxConf: max })}>
              {label}
            </Link>
          );
        })}
      </p>
      {page.items.length === 0 ? (
        <p className="empty">No predictions match these filters.</p>
      ) : (
        <div className="thumb-grid" data-testid="prediction-grid">
          {page.items.map((p) => {
            const wrong = p.correct === false;
            return (
              <Link
                key={p.predictionId}
                href={`/images/${p.imageId}?run=${runId}`}
                className={wrong ? "thumb wrong" : "thumb"}
                data-testid="prediction-card"
                data-image-id={p.imageId}
                data-correct={p.correct === null ? "unknown" : String(p.correct)}
                data-confidence={p.confidence}
              >
                {/* biome-ignore lint/performance/noImgElement: thumbnails come from our own cached route */}
                <img
                  src={`/api/images/${p.imageId}/thumbnail?size=160`}
                  alt={`X-ray ${p.imageId}, true ${p.trueLabel ?? "unknown"}, predicted ${p.predictedLabel}`}
                  width={160}
                  height={160}
                  loading="lazy"
                />
                <span className="caption">
                  <span className="muted">true</span>{" "}
                  <span data-testid="prediction-true">{p.trueLabel ?? "—"}</span>
                  <br />
                  <span className="muted">pred</span>{" "}
                  <span className="pred" data-testid="prediction-pred">
                    {p.predictedLabel}
                  </span>{" "}
                  <span data-testid="prediction-confidence">{percent(p.confidence, 1)}</span>
                  {wrong && <span className="visually-hidden"> (misclassified)</span>}
                </span>
              </Link>
            );
          })}
        </div>
      )}
      <Pager path={path} params={query} list={page} noun="predictions" />
    </>
  );
}
