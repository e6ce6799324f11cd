import { readFile } from "node:fs/promises";
import { modelFingerprint } from "@cxrlab/core/gradcam";
import { resolveModelDir } from "@cxrlab/core/inference";
import { findImage, getPatientHistory, getRun, type Store } from "@cxrlab/db";
import { type DicomWebEndpoint, PacsError, searchInstances, storeInstances } from "./dicomweb-client.ts";
import { buildResultReport, type ModelIdentity, type ResultReport } from "./result-report.ts";

export interface PushRequest {
  runId: number;
  patientId: string;
  issuer?: string;
}

export interface PushedReport {
  imageId: number;
  studyInstanceUid: string;
  /** The image the report is about. */
  imageSopInstanceUid: string;
  /** The SR's UIDs. */
  seriesInstanceUid: string;
  sopInstanceUid: string;
  predictedClass: string;
}

export interface PushReport {
  source: string;
  runId: number;
  patientId: string;
  /** The patient's row and project, for the caller's audit entry. */
  patientRow: number;
  projectId: number | null;
  /** Stored now. */
  pushed: PushedReport[];
  /** Already in the PACS (pushed before): not stored again. */
  alreadyInPacs: PushedReport[];
  /** Images the run predicted that cannot carry a report back (not from a DICOM file). */
  skipped: { imageId: number; reason: string }[];
}

async function modelIdentity(store: Store, runId: number): Promise<ModelIdentity> {
  const run = await getRun(store, runId);
  if (!run) throw new Error(`no run ${runId} in the store`);
  if (!run.modelLocation)
    throw new Error(`run ${runId} has no saved model, so its weights digest is unknown`);
  return {
    runId,
    runName: run.name,
    codeVersion: run.codeVersion,
    weightsDigest: await modelFingerprint(resolveModelDir(run.modelLocation)),
  };
}

/**
 * Stores, with STOW-RS, a DICOM SR of run `runId`'s prediction for each of the patient's images that
 * came from a DICOM file, into the study the image came from. The SR's UIDs derive from (run, image)
 * and the PACS is asked first (QIDO-RS) whether it holds it: pushing twice stores nothing twice.
 * A run that predicted none of the patient's images gives an empty report.
 */
export async function pushResults(
  store: Store,
  endpoint: DicomWebEndpoint,
  request: PushRequest,
): Promise<PushReport> {
  const history = await getPatientHistory(store, { patientId: request.patientId, issuer: request.issuer });
  if (!history) throw new Error(`no patient ${request.patientId} in the archive`);
  let model: ModelIdentity | undefined;
  const report: PushReport = {
    source: endpoint.name,
    runId: request.runId,
    patientId: history.patient.patientId,
    patientRow: history.patient.id,
    projectId: history.patient.projectId,
    pushed: [],
    alreadyInPacs: [],
    skipped: [],
  };
  const reports: { sr: ResultReport; entry: PushedReport }[] = [];
  for (const image of history.studies.flatMap((s) => s.images)) {
    const prediction = image.predictions.find((p) => p.runId === request.runId);
    if (!prediction) continue;
    const stored = await findImage(store, image.id);
    if (image.sourceFormat !== "dicom" || !stored?.sourceLocation) {
      report.skipped.push({
        imageId: image.id,
        reason: "not archived from a DICOM file: no study to report into",
      });
      continue;
    }
    const original = await readFile(stored.sourceLocation).catch((error: Error) => {
      throw new Error(`image ${image.id}: its DICOM file cannot be read (${error.message})`);
    });
    model ??= await modelIdentity(store, request.runId);
    const sr = buildResultReport(
      original,
      { predictedClass: prediction.predictedLabel, probabilities: prediction.probabilities },
      model,
    );
    const { bytes: _, ...uids } = sr;
    reports.push({ sr, entry: { imageId: image.id, ...uids, predictedClass: prediction.predictedLabel } });
  }
  const byStudy = new Map<string, typeof reports>();
  for (const r of reports) {
    const there = await searchInstances(endpoint, r.sr.studyInstanceUid, {
      sopInstanceUid: r.sr.sopInstanceUid,
    });
    if (there.length) {
      report.alreadyInPacs.push(r.entry);
      continue;
    }
    byStudy.set(r.sr.studyInstanceUid, [...(byStudy.get(r.sr.studyInstanceUid) ?? []), r]);
  }
  for (const [studyUid, study] of byStudy) {
    const outcome = await storeInstances(
      endpoint,
      studyUid,
      study.map((r) => r.sr.bytes),
    );
    if (outcome.failed.length) {
      throw new PacsError(
        `PACS ${endpoint.name} (${endpoint.url}): refused ${outcome.failed.map((f) => `${f.sopInstanceUid} (${f.reason})`).join(", ")} in study ${studyUid}`,
        "status",
      );
    }
    report.pushed.push(...study.map((r) => r.entry));
  }
  return report;
}
