import type { Metadata } from "next";
import Link from "next/link";
import { idParam, orErrorPage } from "../../../src/error-page.ts";
import { dateTime } from "../../../src/format.ts";
import { getCaller } from "../../../src/trpc/server.ts";

export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Dataset version ${(await params).id}` };
}

/** A dataset version, read-only: its images per class and source, fingerprint and how it was made. */
export default async function DatasetPage({ params }: Props) {
  const id = idParam((await params).id);
  const caller = await getCaller();
  const version = await orErrorPage(caller.datasets.get({ id }));
  const { fromReviews, include, excluded } = version.recipe;
  const facts: [string, string, string?][] = [
    ["Project", version.project],
    ["Images", String(version.images), "dataset-images"],
    ["Fingerprint (SHA-256 of the manifest)", version.fingerprint, "dataset-fingerprint"],
    [
      "Made",
      `${dateTime(version.createdAt)}${version.createdByEmail ? ` by ${version.createdByEmail}` : ""}`,
    ],
    ["From reviews", fromReviews ? `at least ${fromReviews.minReviewers} review(s), all agreeing` : "no"],
    ["Folders included", include.length ? include.join(", ") : "none"],
    [
      "Left out",
      Object.entries(excluded)
        .map(([reason, n]) => `${n} ${reason}`)
        .join(", ") || "none",
    ],
    ["Runs trained on it", String(version.runs)],
  ];
  return (
    <>
      <div className="crumbs">
        <Link href="/runs">Runs</Link> / dataset {version.ref}
      </div>
      <div className="page-head">
        <h1 data-testid="dataset-ref">{version.ref}</h1>
      </div>
      <div className="grid-2">
        <div className="table-scroll">
          <table className="kv" data-testid="dataset-facts">
            <tbody>
              {facts.map(([label, value, testId]) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td data-testid={testId}>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="table-scroll">
          <table className="kv" data-testid="dataset-classes">
            <thead>
              <tr>
                <th>Class</th>
                <th className="num">Images</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(version.classes).map(([label, count]) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td className="num">{count}</td>
                </tr>
              ))}
              {Object.entries(version.sources).map(([source, count]) => (
                <tr key={`source:${source}`} className="muted">
                  <th scope="row">from {source === "review" ? "reviews" : "folders"}</th>
                  <td className="num">{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
