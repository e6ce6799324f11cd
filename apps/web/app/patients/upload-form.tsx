"use client";

import type { UploadReport } from "@cxrlab/api/http";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ProjectSelect } from "../../src/components/project-select.tsx";

type Outcome = { report: UploadReport } | { error: string };

/** The upload's answer: its report (JSON), or the plain-text reason the whole request was refused. */
async function outcomeOf(response: Response | null): Promise<Outcome> {
  if (!response) return { error: "The server did not answer; try again." };
  if (response.headers.get("content-type")?.includes("application/json")) {
    return { report: (await response.json()) as UploadReport };
  }
  return { error: (await response.text()).trim() || `Upload refused (${response.status}).` };
}

/**
 * Adds PNG, JPEG and DICOM files to the patient archive (POST /api/uploads). PNG and JPEG carry no
 * patient, so they need the patient ID here; DICOM files name their own patient and study.
 */
export function UploadForm({ projects }: { projects: { id: number; name: string }[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setBusy(true);
    setOutcome(null);
    const response = await fetch("/api/uploads", { method: "POST", body: new FormData(form) }).catch(
      () => null,
    );
    const result = await outcomeOf(response);
    setBusy(false);
    setOutcome(result);
    if ("report" in result && result.report.new.length > 0) {
      form.reset();
      router.refresh();
    }
  }

  return (
    <details className="card upload" data-testid="upload">
      <summary>Add images</summary>
      <form className="run-form" onSubmit={submit} data-testid="upload-form">
        <div className="run-form-grid">
          <label className="field">
            Project
            <ProjectSelect name="project" projects={projects} testId="upload-project" />
          </label>
          <label className="field">
            Files (PNG, JPEG, DICOM)
            <input
              type="file"
              name="files"
              multiple
              required
              accept=".png,.jpg,.jpeg,.dcm,image/png,image/jpeg,application/dicom"
              data-testid="upload-files"
            />
          </label>
          <label className="field">
            Patient ID (PNG/JPEG)
            <input type="text" name="patientId" maxLength={64} data-testid="upload-patient" />
          </label>
          <label className="field">
            Issuer
            <input type="text" name="issuer" maxLength={64} />
          </label>
          <label className="field">
            Study date
            <input type="date" name="studyDate" />
          </label>
          <label className="field">
            View
            <input type="text" name="view" maxLength={16} placeholder="PA, AP, LATERAL" />
          </label>
        </div>
        <div>
          <button type="submit" className="primary" disabled={busy} data-testid="upload-submit">
            {busy ? "Uploading…" : "Upload"}
          </button>
        </div>
      </form>
      {outcome && "error" in outcome ? (
        <p role="alert" className="error" data-testid="upload-error">
          {outcome.error}
        </p>
      ) : null}
      {outcome && "report" in outcome ? <UploadResult report={outcome.report} /> : null}
    </details>
  );
}

function UploadResult({ report }: { report: UploadReport }) {
  return (
    <ul className="upload-result" data-testid="upload-result">
      {report.new.map((e) => (
        <li key={`new-${e.file}`} data-testid="upload-new">
          <strong>new</strong> {e.file}
          {e.image ? ` — patient ${e.image.patientId}` : ""}
        </li>
      ))}
      {report.known.map((e) => (
        <li key={`known-${e.file}`} data-testid="upload-known">
          <strong>already archived</strong> {e.file}
        </li>
      ))}
      {report.rejected.map((e) => (
        <li key={`rejected-${e.file}`} className="bad" data-testid="upload-rejected">
          <strong>rejected</strong> {e.file}: {e.reason}
        </li>
      ))}
      {report.new.length > 0 && (
        <li data-testid="upload-predictions">
          <strong>predictions</strong> {report.predictions.queued} queued
          {report.predictions.notQueued.map((n) => `; ${n.images} not queued: ${n.reason}`).join("")}
        </li>
      )}
    </ul>
  );
}
