import { probabilityTrendSvg } from "@cxrlab/core/plots";
import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "../../../src/components/filter-form.tsx";
import { SvgFigure } from "../../../src/components/svg-figure.tsx";
import { idParam, orErrorPage } from "../../../src/error-page.ts";
import { day, dicomDay, percent, personName } from "../../../src/format.ts";
import {
  heatmapPrediction,
  latestFirst,
  type PatientImage,
  type PatientModel,
  type PatientStudy,
  patientModels,
  trendPoints,
} from "../../../src/patient-history.ts";
import { first, type SearchParams } from "../../../src/search-params.ts";
import { getCaller } from "../../../src/trpc/server.ts";
import { HeatmapSwitch, HeatmapThumbnail } from "./heatmaps.tsx";
import { PacsPanel } from "./pacs-panel.tsx";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Patient ${(await params).id}` };
}

function ImageCard({ image, runId }: { image: PatientImage; runId: number | null }) {
  const explained = heatmapPrediction(image, runId);
  return (
    <div className="patient-image" data-testid="patient-image" data-image-id={image.id}>
      <HeatmapThumbnail
        imageId={image.id}
        runId={explained?.runId ?? null}
        width={image.width}
        height={image.height}
        alt={`Image ${image.id}${image.viewPosition ? `, ${image.viewPosition} view` : ""}`}
      />
      <div className="patient-image-facts">
        <span className="muted">
          #{image.id}
          {image.viewPosition ? ` · ${image.viewPosition}` : ""}
        </span>
        {image.predictions.length === 0 ? (
          <span className="muted">not predicted yet</span>
        ) : (
          <ul className="patient-predictions">
            {latestFirst(image.predictions).map((p) => (
              <li
                key={p.runId}
                className={p.runId === runId ? "current" : undefined}
                data-testid="patient-prediction"
                data-run-id={p.runId}
                data-image-id={image.id}
              >
                <Link href={`/images/${image.id}?run=${p.runId}`} data-testid="patient-prediction-run">
                  {p.runName}
                </Link>{" "}
                <strong data-testid="patient-prediction-label">{p.predictedLabel}</strong>{" "}
                <span className="num" data-testid="patient-prediction-confidence">
                  {percent(p.confidence, 1)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function StudyItem({ study, runId }: { study: PatientStudy; runId: number | null }) {
  return (
    <li className="study" data-testid="study" data-study-id={study.id}>
      <div className="study-head">
        <time
          data-testid="study-date"
          dateTime={study.studyDate ? day(study.studyDate) : undefined}
          className="study-date"
        >
          {study.studyDate ? day(study.studyDate) : "date unknown"}
        </time>
        {study.accessionNumber && (
          <span data-testid="study-accession">
            <span className="muted">accession</span> {study.accessionNumber}
          </span>
        )}
        {study.description && <span data-testid="study-description">{study.description}</span>}
        <span className="muted">
          {study.images.length} image{study.images.length === 1 ? "" : "s"}
        </span>
      </div>
      <div className="patient-images">
        {study.images.map((image) => (
          <ImageCard key={image.id} image={image} runId={runId} />
        ))}
      </div>
    </li>
  );
}

function Trend({
  path,
  models,
  model,
  svg,
}: {
  path: string;
  models: PatientModel[];
  model: PatientModel;
  svg: () => string;
}) {
  return (
    <section className="card" data-testid="trend">
      <h2>Class probabilities over time</h2>
      {models.length > 1 && (
        <FilterForm key={model.runId} action={path} testId="trend-filters">
          <label>
            Model
            <select name="model" defaultValue={String(model.runId)} data-testid="trend-model">
              {models.map((m) => (
                <option key={m.runId} value={m.runId}>
                  #{m.runId} {m.runName}
                </option>
              ))}
            </select>
          </label>
          <noscript>
            <button type="submit">Show</button>
          </noscript>
        </FilterForm>
      )}
      <SvgFigure
        build={svg}
        testId="probability-trend"
        wide
        label={`Each class's probability by study date, as run ${model.runId} (${model.runName}) predicted`}
      />
    </section>
  );
}

export default async function PatientPage({ params, searchParams }: Props) {
  const id = idParam((await params).id);
  const requested = Number(first(await searchParams, "model"));
  const caller = await getCaller();
  const history = await orErrorPage(caller.patients.get({ id }));
  const { patient, studies } = history;
  const models = patientModels(history);
  // The chosen model drives the chart and the heatmaps; by default the one that predicted last.
  const model = models.find((m) => m.runId === requested) ?? models[0] ?? null;
  const imageCount = studies.reduce((n, s) => n + s.images.length, 0);
  return (
    <>
      <div className="crumbs">
        <Link href="/patients">Patients</Link> / {patient.patientId}
      </div>
      <div className="page-head">
        <h1>
          Patient <span data-testid="patient-id">{patient.patientId}</span>
        </h1>
      </div>
      <dl className="stats" data-testid="patient-identity">
        <div className="stat">
          <dt className="label">Name</dt>
          <dd className="value" data-testid="patient-name">
            {personName(patient.name)}
          </dd>
        </div>
        <div className="stat">
          <dt className="label">Issuer of ID</dt>
          <dd className="value" data-testid="patient-issuer">
            {patient.issuer || "—"}
          </dd>
        </div>
        <div className="stat">
          <dt className="label">Birth date</dt>
          <dd className="value">{dicomDay(patient.birthDate)}</dd>
        </div>
        <div className="stat">
          <dt className="label">Sex</dt>
          <dd className="value">{patient.sex || "—"}</dd>
        </div>
        <div className="stat">
          <dt className="label">Studies</dt>
          <dd className="value">{studies.length}</dd>
        </div>
        <div className="stat">
          <dt className="label">Images</dt>
          <dd className="value">{imageCount}</dd>
        </div>
      </dl>
      {model ? (
        <Trend
          path={`/patients/${id}`}
          models={models}
          model={model}
          svg={() =>
            probabilityTrendSvg(trendPoints(history, model.runId), {
              title: `#${model.runId} ${model.runName}`,
            })
          }
        />
      ) : (
        <p className="muted" data-testid="trend-none">
          No model has predicted this patient's images yet (cxrlab predict --patient {patient.patientId}).
        </p>
      )}
      <PacsPanel patientId={id} run={model && { id: model.runId, name: model.runName }} />
      <h2>Studies</h2>
      {studies.length === 0 ? (
        <p className="empty">No studies.</p>
      ) : (
        <HeatmapSwitch
          label={
            model
              ? `Grad-CAM heatmaps (#${model.runId} ${model.runName})`
              : "Grad-CAM heatmaps (no model yet)"
          }
        >
          <ol className="timeline" data-testid="timeline">
            {studies.map((study) => (
              <StudyItem key={study.id} study={study} runId={model?.runId ?? null} />
            ))}
          </ol>
        </HeatmapSwitch>
      )}
    </>
  );
}
