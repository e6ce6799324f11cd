import type { Metadata } from "next";
import Link from "next/link";
import { idParam, orErrorPage } from "../../../src/error-page.ts";
import { dateTime, percent } from "../../../src/format.ts";
import { first, type SearchParams } from "../../../src/search-params.ts";
import { getCaller } from "../../../src/trpc/server.ts";
import { GradCamViewer } from "./gradcam-viewer.tsx";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Image ${(await params).id}` };
}

export default async function ImagePage({ params, searchParams }: Props) {
  const imageId = idParam((await params).id);
  const requestedRun = Number(first(await searchParams, "run"));
  const caller = await getCaller();
  const image = await orErrorPage(caller.images.get({ imageId }));
  const selected = image.predictions.find((p) => p.runId === requestedRun) ?? image.predictions[0] ?? null;
  const runId =
    Number.isSafeInteger(requestedRun) && requestedRun > 0 ? requestedRun : (selected?.runId ?? null);
  const classNames = [...new Set(image.predictions.flatMap((p) => Object.keys(p.probabilities)))];
  const selectedClasses = selected ? Object.keys(selected.probabilities) : classNames;
  return (
    <>
      <div className="crumbs">
        <Link href="/runs">Runs</Link>
        {runId !== null && (
          <>
            {" "}
            / <Link href={`/runs/${runId}`}>#{runId}</Link> /{" "}
            <Link href={`/runs/${runId}/predictions`}>predictions</Link>
          </>
        )}{" "}
        / image {image.id}
      </div>
      <div className="page-head">
        <h1>
          Image {image.id}{" "}
          <span className="muted">
            true label <span data-testid="image-label">{image.label ?? "unknown"}</span>
          </span>
        </h1>
      </div>
      <div className="image-layout">
        <GradCamViewer
          imageId={image.id}
          runId={runId}
          classNames={selectedClasses}
          width={image.width}
          height={image.height}
          alt={`Chest X-ray ${image.id}, labelled ${image.label ?? "unknown"}`}
        />
        <div>
          <h2 style={{ marginTop: 0 }}>Every model's prediction</h2>
          <div className="table-scroll">
            <table data-testid="image-predictions">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Predicted</th>
                  <th className="num">Confidence</th>
                  {classNames.map((c) => (
                    <th key={c} className="num">
                      P({c})
                    </th>
                  ))}
                  <th>Recorded</th>
                </tr>
              </thead>
              <tbody>
                {image.predictions.map((p) => {
                  const wrong = image.label !== null && p.predictedLabel !== image.label;
                  return (
                    <tr
                      key={p.runId}
                      className={p.runId === runId ? "current" : undefined}
                      data-testid="image-prediction-row"
                      data-run-id={p.runId}
                    >
                      <td className="nowrap">
                        <Link href={`/images/${image.id}?run=${p.runId}`} title="Show this run's Grad-CAM">
                          #{p.runId} {p.runName}
                        </Link>
                      </td>
                      <td className={wrong ? "bad" : image.label === null ? undefined : "good"}>
                        <span data-testid="image-prediction-label">{p.predictedLabel}</span>
                        {wrong ? " ✗" : image.label === null ? "" : " ✓"}
                      </td>
                      <td className="num" data-testid="image-prediction-confidence">
                        {percent(p.confidence)}
                      </td>
                      {classNames.map((c) => (
                        <td key={c} className="num">
                          {percent(p.probabilities[c])}
                        </td>
                      ))}
                      <td className="num">{dateTime(p.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {image.predictions.length === 0 && <p className="muted">No run has predicted this image.</p>}
          <h2>File</h2>
          <div className="table-scroll">
            <table className="kv" data-testid="image-facts">
              <tbody>
                <tr>
                  <th scope="row">Size</th>
                  <td>
                    {image.width} × {image.height}
                  </td>
                </tr>
                <tr>
                  <th scope="row">Format</th>
                  <td>{image.format}</td>
                </tr>
                <tr>
                  <th scope="row">SHA-256</th>
                  <td className="diff-cell">{image.sha256}</td>
                </tr>
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </>
  );
}
