import { inputLimits } from "@cxrlab/core/limits";
import {
  advancePacsWatermark,
  archivedSopInstanceUids,
  type IngestContent,
  type IngestReport,
  ingestContents,
  type PacsSourceRecord,
  type Store,
} from "@cxrlab/db";
import {
  type DicomWebEndpoint,
  type InstanceMatch,
  retrieveInstance,
  type StudyMatch,
  searchInstances,
  searchSeries,
  searchStudies,
} from "./dicomweb-client.ts";

/** Chest X-ray modalities: what a pull takes unless told otherwise. */
export const DEFAULT_MODALITIES = ["CR", "DX"] as const;

export interface PullOptions {
  /** Only this patient's studies (PatientID); sync takes every patient's. */
  patientId?: string;
  /** YYYYMMDD: studies of this day or later. */
  since?: string;
  /** Series of these modalities are retrieved (studies are searched by ModalitiesInStudy). */
  modalities: readonly string[];
  imageStore: string;
  /** Progress lines (stderr). */
  onProgress?: (line: string) => void;
}

export interface PulledStudy {
  studyInstanceUid: string;
  studyDate: string | null;
  /** Instances of the wanted modalities the PACS holds. */
  instances: number;
  /** Of those, already in the archive (not retrieved again). */
  alreadyArchived: number;
  retrieved: number;
  /** Every instance is in the archive now (none was rejected). */
  complete: boolean;
}

export interface PullReport extends IngestReport {
  source: string;
  studies: PulledStudy[];
}

const byDate = (a: StudyMatch, b: StudyMatch) =>
  (a.studyDate ?? "99999999").localeCompare(b.studyDate ?? "99999999") ||
  a.studyInstanceUid.localeCompare(b.studyInstanceUid);

/**
 * Searches the PACS for studies (QIDO-RS), retrieves the instances of the wanted modalities that the
 * archive lacks (WADO-RS) and ingests each study through the archive's ingest pipeline (the same
 * dedup, limits and report as `cxrlab ingest`), oldest study first. A study's instances are all
 * retrieved before any is ingested, so a PACS that fails mid-study leaves that study out entirely.
 * `onStudyStored` runs after each study is ingested.
 */
export async function pullStudies(
  store: Store,
  endpoint: DicomWebEndpoint,
  source: PacsSourceRecord,
  options: PullOptions,
  onStudyStored?: (study: PulledStudy) => Promise<void>,
): Promise<PullReport> {
  const studies = (
    await searchStudies(endpoint, {
      patientId: options.patientId,
      since: options.since,
      modalities: options.modalities,
    })
  ).sort(byDate);
  options.onProgress?.(
    `pacs ${source.name}: ${studies.length} stud${studies.length === 1 ? "y" : "ies"} found`,
  );
  const report: PullReport = {
    source: source.name,
    studies: [],
    new: [],
    known: [],
    rejected: [],
    conflicts: [],
    filled: [],
  };
  const maxBytes = inputLimits().fileBytes;
  for (const study of studies) {
    const instances = await studyInstances(endpoint, study.studyInstanceUid, options.modalities);
    const archived = await archivedSopInstanceUids(
      store,
      instances.map((i) => i.sopInstanceUid),
    );
    const missing = instances.filter((i) => !archived.has(i.sopInstanceUid));
    const contents: IngestContent[] = [];
    for (const instance of missing) {
      contents.push({
        file: `${source.name}:${study.studyInstanceUid}/${instance.sopInstanceUid}`,
        bytes: await retrieveInstance(endpoint, instance, maxBytes),
      });
    }
    const ingested = await ingestContents(store, contents, {
      imageStore: options.imageStore,
      project: source.project,
    });
    for (const key of ["new", "known", "rejected", "conflicts", "filled"] as const)
      (report[key] as unknown[]).push(...ingested[key]);
    const pulled: PulledStudy = {
      studyInstanceUid: study.studyInstanceUid,
      studyDate: study.studyDate,
      instances: instances.length,
      alreadyArchived: archived.size,
      retrieved: contents.length,
      complete: ingested.rejected.length === 0,
    };
    report.studies.push(pulled);
    options.onProgress?.(
      `pacs ${source.name}: study ${study.studyInstanceUid} (${study.studyDate ?? "undated"}): ` +
        `${contents.length} retrieved, ${archived.size} already archived`,
    );
    await onStudyStored?.(pulled);
  }
  return report;
}

/** The instances of a study's series whose modality is wanted (an SR series the results went to is not). */
export async function studyInstances(
  endpoint: DicomWebEndpoint,
  studyUid: string,
  modalities: readonly string[],
): Promise<InstanceMatch[]> {
  const series = await searchSeries(endpoint, studyUid);
  const instances: InstanceMatch[] = [];
  for (const s of series) {
    if (!s.modality || !modalities.includes(s.modality)) continue;
    instances.push(...(await searchInstances(endpoint, studyUid, { seriesUid: s.seriesInstanceUid })));
  }
  return instances;
}

export interface SyncReport extends PullReport {
  /** The watermark before and after: StudyDate up to which every study is stored. */
  watermarkBefore: string | null;
  watermarkAfter: string | null;
}

/**
 * Pulls every study of the source from its watermark's day on (inclusive: studies of that day may
 * have arrived since), advancing the watermark after each study stored in full while every earlier
 * one was too. An interrupted sync loses nothing (the watermark has not passed what was not stored)
 * and, run again, retrieves nothing twice (instances already archived are not retrieved).
 */
export async function syncSource(
  store: Store,
  endpoint: DicomWebEndpoint,
  source: PacsSourceRecord,
  options: Omit<PullOptions, "patientId" | "since">,
): Promise<SyncReport> {
  let watermark = source.watermark;
  let unbroken = true;
  const report = await pullStudies(
    store,
    endpoint,
    source,
    { ...options, since: source.watermark ?? undefined },
    async (study) => {
      unbroken &&= study.complete;
      if (!unbroken || !study.studyDate) return;
      await advancePacsWatermark(store, source.id, study.studyDate);
      if (!watermark || study.studyDate > watermark) watermark = study.studyDate;
    },
  );
  await advancePacsWatermark(store, source.id, null);
  return { ...report, watermarkBefore: source.watermark, watermarkAfter: watermark };
}
