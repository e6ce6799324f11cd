import { readFile } from "node:fs/promises";
import { modelFingerprint } from "@cxrlab/core/gradcam";
import { resolveModelDir } from "@cxrlab/core/inference";
import { findImage, getPatientHistory, getRun, type Store } from "@cxrlab/db";
import { type ModelIdentity, sourceImage } from "./derived-instance.ts";
import { type DicomWebEndpoint, PacsError, searchInstances, storeInstances } from "./dicomweb-client.ts";
import {
  buildGradCamCapture,
  gradCamCaptureUids,
  type OverlayRenderer,
  overlayRenderer,
} from "./gradcam-capture.ts";
import { buildResultReport } from "./result-report.ts";

export interface PushRequest {
  runId: number;
  patientId: string;
  issuer?: string;
  /** Also a Secondary Capture of each image's Grad-CAM overlay of the predicted class. */
  gradCam?: boolean;
}

export interface PushedReport {
  /** The SR with the classification, or the Secondary Capture of the Grad-CAM overlay. */
  kind: "sr" | "gradcam";
  imageId: number;
  studyInstanceUid: string;
  /** The image the instance is about. */
  imageSopInstanceUid: string;
  /** The instance's UIDs. */
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

async function modelOf(store: Store, runId: number): Promise<{ identity: ModelIdentity; dir: string }> {
  const run = await getRun(store, runId);
  if (!run) throw new Error(`no run ${runId} in the store`);
  if (!run.modelLocation)
    throw new Error(`run ${runId} has no saved model, so its weights digest is unknown`);
  const dir = resolveModelDir(run.modelLocation);
  return {
    dir,
    identity: {
      runId,
      runName: run.name,
      codeVersion: run.codeVersion,
      weightsDigest: await modelFingerprint(dir),
    },
  };
}

/** One instance to store unless the PACS has it; `bytes` makes it (a Grad-CAM overlay is rendered only then). */
interface Pending {
  entry: PushedReport;
  bytes: () => Promise<Buffer>;
}

/**
 * Stores, with STOW-RS, a DICOM SR of run `runId`'s prediction for each of the patient's images that
 * came from a DICOM file, into the study the image came from, and with `gradCam` a Secondary Capture
 * of the image's Grad-CAM overlay beside it. The instances' UIDs derive from (run, image) and the
 * PACS is asked first (QIDO-RS) whether it holds each: pushing twice stores nothing twice. A run
 * that predicted none of the patient's images gives an empty report.
 */
export async function pushResults(
  store: Store,
  endpoint: DicomWebEndpoint,
  request: PushRequest,
): Promise<PushReport> {
  const history = await getPatientHistory(store, { patientId: request.patientId, issuer: request.issuer });
  if (!history) throw new Error(`no patient ${request.patientId} in the archive`);
  let model: { identity: ModelIdentity; dir: string } | undefined;
  let renderer: Promise<OverlayRenderer> | undefined;
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
  const pending: Pending[] = [];
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
    model ??= await modelOf(store, request.runId);
    const { identity, dir } = model;
    const source = sourceImage(original);
    const about = {
      imageId: image.id,
      studyInstanceUid: source.studyInstanceUid,
      imageSopInstanceUid: source.sopInstanceUid,
      predictedClass: prediction.predictedLabel,
    };
    const sr = buildResultReport(
      source,
      { predictedClass: prediction.predictedLabel, probabilities: prediction.probabilities },
      identity,
    );
    pending.push({
      entry: {
        kind: "sr",
        ...about,
        seriesInstanceUid: sr.seriesInstanceUid,
        sopInstanceUid: sr.sopInstanceUid,
      },
      bytes: async () => sr.bytes,
    });
    if (!request.gradCam) continue;
    pending.push({
      entry: { kind: "gradcam", ...about, ...gradCamCaptureUids(request.runId, source) },
      bytes: async () => {
        renderer ??= overlayRenderer(dir);
        const overlay = await (await renderer).render(stored.location, prediction.predictedLabel);
        return buildGradCamCapture(source, overlay, identity).bytes;
      },
    });
  }
  try {
    const byStudy = new Map<string, { entry: PushedReport; bytes: Buffer }[]>();
    for (const p of pending) {
      const there = await searchInstances(endpoint, p.entry.studyInstanceUid, {
        sopInstanceUid: p.entry.sopInstanceUid,
      });
      if (there.length) {
        report.alreadyInPacs.push(p.entry);
        continue;
      }
      const study = byStudy.get(p.entry.studyInstanceUid) ?? [];
      study.push({ entry: p.entry, bytes: await p.bytes() });
      byStudy.set(p.entry.studyInstanceUid, study);
    }
    for (const [studyUid, study] of byStudy) {
      const outcome = await storeInstances(
        endpoint,
        studyUid,
        study.map((r) => r.bytes),
      );
      if (outcome.failed.length) {
        throw new PacsError(
          `PACS ${endpoint.name} (${endpoint.url}): refused ${outcome.failed.map((f) => `${f.sopInstanceUid} (${f.reason})`).join(", ")} in study ${studyUid}`,
          "status",
        );
      }
      report.pushed.push(...study.map((r) => r.entry));
    }
  } finally {
    // A renderer that failed to load has thrown its error where it was awaited.
    await renderer?.then(
      (r) => r.close(),
      () => undefined,
    );
  }
  return report;
}
