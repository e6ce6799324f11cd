import { readFile } from "node:fs/promises";
import { imageHeader } from "@cxrlab/core/data";
import { type DicomMetadata, grayPng, parseDicomDate, readDicom } from "@cxrlab/core/dicom";
import { checkPixels, inputLimits, TooManyPixelsError } from "@cxrlab/core/limits";
import { ArchiveConflict, describePatient, withheldConflict } from "./archive-conflict.ts";
import { putContent, removeContent, type StoredContent, sha256Of } from "./content-store.ts";
import {
  listSources,
  parseStudyDate,
  readImageSidecar,
  readSidecar,
  type SourceFields,
  type SourceFormat,
  sniffFormat,
} from "./ingest-sources.ts";
import {
  contentStoreFileInUse,
  type DemographicConflict,
  type DemographicFill,
  type IngestInput,
  ingestImage,
  lockContent,
} from "./patients.ts";
import { retryWhenBusy } from "./retry.ts";
import { DEFAULT_PROJECT } from "./runs.ts";
import type { Store } from "./store.ts";

export interface IngestOptions {
  /** Root of the content-addressed image store. */
  imageStore: string;
  /** Fields for every file (flags); a sidecar row or `<image>.json` overrides them, DICOM tags win over all. */
  fields?: SourceFields;
  /** CSV or JSON sidecar naming fields per file. */
  sidecar?: string;
  /**
   * The project new patients join. When given, an image of a patient archived in another project is
   * rejected (an upload may only add to its own project); without it, known patients keep theirs and
   * new ones join "default".
   */
  project?: string;
  /**
   * Whether a refusal may name a patient or study of this project (an upload: whether the uploader
   * may read its patients); otherwise it names only `project`. Default: always, for `cxrlab ingest`,
   * whose operator holds the database's credentials.
   */
  mayNamePatientsOf?: (projectId: number | null) => boolean;
  /** Most pixels an image may declare (default: core's inputLimits(), CXRLAB_MAX_IMAGE_PIXELS). */
  maxPixels?: number;
  onProgress?: (done: number, total: number, report: IngestReport) => void;
}

export interface IngestedFile {
  file: string;
  imageId: number;
  patientId: string;
  issuer: string;
  format: SourceFormat;
  /** The patient's project. */
  projectId: number | null;
}

/** Why a file was refused: not an image by its content, too many pixels, or anything else about it. */
export type RejectionKind = "format" | "pixels" | "content";

export interface RejectedFile {
  file: string;
  reason: string;
  kind: RejectionKind;
}

/** Which file and patient a demographic report is about. */
export interface DemographicsOf {
  file: string;
  imageId: number;
  /** The patient's row (Patient.id). */
  patientRef: number;
  patientId: string;
  issuer: string;
  projectId: number | null;
}

export interface IngestReport {
  new: IngestedFile[];
  known: IngestedFile[];
  rejected: RejectedFile[];
  /** A known patient's demographics that a file disagreed on: the archive kept its values. */
  conflicts: (DemographicsOf & DemographicConflict)[];
  /** A known patient's empty demographics that a file filled in. */
  filled: (DemographicsOf & DemographicFill)[];
}

/** Bytes to ingest that are not (or not only) a file on disk, e.g. an upload. */
export interface IngestContent {
  /** Shown in the report and in errors only; never used as a path. */
  file: string;
  bytes: Buffer;
  fields?: SourceFields;
}

class NotAnImageError extends Error {}

export interface DemographicEvent {
  action: "patient.demographics.conflict" | "patient.demographics.fill";
  targetType: "patient";
  targetId: string;
  projectId: number | null;
  details: Record<string, string>;
}

/**
 * The audit events for a report's demographics, one per field, in the patient's project (the
 * caller adds who acted): `patient.demographics.conflict` for a refused value,
 * `patient.demographics.fill` for an empty field filled in.
 */
export function demographicEvents(report: Pick<IngestReport, "conflicts" | "filled">): DemographicEvent[] {
  const event = (
    action: DemographicEvent["action"],
    e: DemographicsOf,
    change: Record<string, string>,
  ): DemographicEvent => ({
    action,
    targetType: "patient",
    targetId: String(e.patientRef),
    projectId: e.projectId,
    details: { file: e.file, patientId: e.patientId, issuer: e.issuer, ...change },
  });
  return [
    ...report.conflicts.map((c) =>
      event("patient.demographics.conflict", c, { field: c.field, kept: c.kept, refused: c.refused }),
    ),
    ...report.filled.map((f) => event("patient.demographics.fill", f, { field: f.field, value: f.value })),
  ];
}

/**
 * Ingests DICOM, PNG and JPEG files (and every file under the folders named) into the archive.
 * Each file either becomes (or already is) one image with its patient and study, or is rejected
 * with the reason; a rejected file leaves nothing behind in the database or the image store.
 */
export async function ingestFiles(
  store: Store,
  inputs: readonly string[],
  options: IngestOptions,
): Promise<IngestReport> {
  const files = await listSources(inputs);
  const sidecar = options.sidecar ? await readSidecar(options.sidecar) : new Map<string, SourceFields>();
  const sources = files.map((file) => ({
    file,
    read: async () => ({
      bytes: await readFile(file),
      fields: { ...options.fields, ...sidecar.get(file), ...(await readImageSidecar(file)) },
    }),
  }));
  return ingestEach(store, sources, options);
}

/** Ingests contents already in memory (uploads) exactly as ingestFiles ingests files. */
export async function ingestContents(
  store: Store,
  contents: readonly IngestContent[],
  options: Omit<IngestOptions, "sidecar">,
): Promise<IngestReport> {
  const sources = contents.map(({ file, bytes, fields }) => ({
    file,
    read: async () => ({ bytes, fields: { ...options.fields, ...fields } }),
  }));
  return ingestEach(store, sources, options);
}

interface Source {
  file: string;
  read(): Promise<{ bytes: Buffer; fields: SourceFields }>;
}

async function ingestEach(
  store: Store,
  sources: readonly Source[],
  options: Omit<IngestOptions, "sidecar">,
): Promise<IngestReport> {
  const maxPixels = options.maxPixels ?? inputLimits().pixels;
  const report: IngestReport = { new: [], known: [], rejected: [], conflicts: [], filled: [] };
  for (const [i, { file, read }] of sources.entries()) {
    try {
      const result = await ingestOne(store, { file, ...(await read()) }, { ...options, maxPixels });
      report[result.status].push(result.entry);
      const { entry } = result;
      const of: DemographicsOf = {
        file,
        imageId: entry.imageId,
        patientRef: result.patientRef,
        patientId: entry.patientId,
        issuer: entry.issuer,
        projectId: entry.projectId,
      };
      for (const conflict of result.conflicts) report.conflicts.push({ ...of, ...conflict });
      for (const fill of result.filled) report.filled.push({ ...of, ...fill });
    } catch (error) {
      const kind: RejectionKind =
        error instanceof TooManyPixelsError
          ? "pixels"
          : error instanceof NotAnImageError
            ? "format"
            : "content";
      report.rejected.push({ file, reason: rejectionReason(error, file, options), kind });
    }
    options.onProgress?.(i + 1, sources.length, report);
  }
  return report;
}

/** Why a file was refused, as the caller may be told: a conflict outside what they may read is withheld. */
function rejectionReason(error: unknown, file: string, options: Omit<IngestOptions, "sidecar">): string {
  const { mayNamePatientsOf } = options;
  if (error instanceof ArchiveConflict && mayNamePatientsOf && !mayNamePatientsOf(error.projectId))
    return withheldConflict(options.project ?? DEFAULT_PROJECT);
  return (error as Error).message.replace(`${file}: `, "");
}

async function ingestOne(
  store: Store,
  { file, bytes, fields }: Required<IngestContent>,
  options: Omit<IngestOptions, "sidecar"> & { maxPixels: number },
) {
  const format = sniffFormat(bytes);
  if (!format) throw new NotAnImageError("not a DICOM, PNG or JPEG file (by its content)");
  const known = await store.prisma.image.findUnique({
    where: { sha256: sha256Of(bytes) },
    select: {
      id: true,
      study: {
        select: {
          patientRef: true,
          patient: { select: { patientId: true, issuer: true, projectId: true } },
        },
      },
    },
  });
  if (known?.study) {
    const { patientId, issuer, projectId } = known.study.patient;
    return {
      status: "known" as const,
      entry: { file, imageId: known.id, patientId, issuer, format, projectId },
      patientRef: known.study.patientRef,
      conflicts: [],
      filled: [],
    };
  }
  const written: (StoredContent & { content: Uint8Array; ext: string })[] = [];
  const put = async (content: Uint8Array, ext: string) => {
    const stored = await putContent(options.imageStore, content, ext);
    written.push({ ...stored, content, ext });
    return stored;
  };
  // Under the transaction's content lock: a file a failed ingest of the same bytes discarded since
  // it was written here is written again (and is then this ingest's to discard if it fails).
  const ensure = async () => {
    for (const file of written) {
      const again = await putContent(options.imageStore, file.content, file.ext);
      if (again.created) file.created = true;
    }
  };
  try {
    const input =
      format === "dicom"
        ? await dicomInput(file, bytes, fields, options.maxPixels, put)
        : await pictureInput(file, bytes, format, fields, options.maxPixels, put);
    if (options.project) {
      input.patient.project = options.project;
      await refuseOtherProject(store, input, options.project);
    }
    const result = await ingestImage(store, {
      ...input,
      content: { sha256s: written.map((w) => w.sha256), ensure },
    });
    // Known by its SOP Instance UID (other bytes): the files just written belong to no row.
    if (result.status === "known") await discardUnused(store, written);
    const { patientId, issuer } = input.patient;
    return {
      status: result.status,
      entry: {
        file,
        imageId: result.imageId,
        patientId,
        issuer: issuer ?? "",
        format,
        projectId: result.projectId,
      },
      patientRef: result.patientRef,
      conflicts: result.conflicts,
      filled: result.filled,
    };
  } catch (error) {
    await discardUnused(store, written);
    throw error;
  }
}

/** An ingest into `project` may not add images to a patient archived in another project. */
async function refuseOtherProject(store: Store, input: IngestInput, project: string): Promise<void> {
  const { patientId, issuer } = input.patient;
  const patient = await store.prisma.patient.findUnique({
    where: { patientId_issuer: { patientId, issuer: issuer ?? "" } },
    select: { projectId: true, project: { select: { name: true } } },
  });
  const archivedIn = patient && (patient.project?.name ?? DEFAULT_PROJECT);
  if (patient && archivedIn !== project) {
    throw new ArchiveConflict(
      `${describePatient(input.patient)} is archived in project ${archivedIn}, not ${project}`,
      patient.projectId,
    );
  }
}

/**
 * Removes files this ingest created that no image row uses (another row may share the bytes).
 *
 * Two ingests of the same bytes share one file: B may find the file A wrote (and write nothing),
 * then A fails and discards it. So the check and the removal run in a transaction holding the
 * file's content lock (lockContent), which every ingest transaction also holds while it makes sure
 * its files exist (writing a missing one again) and until it commits. Either B committed first,
 * and A sees its row and keeps the file; or A removes it first, and B writes it again before its
 * rows commit. No committed row names a missing file.
 */
export async function discardUnused(store: Store, written: readonly StoredContent[]): Promise<void> {
  for (const { sha256, location, created } of written) {
    if (!created) continue;
    await retryWhenBusy(() =>
      store.prisma.$transaction(async (tx) => {
        await lockContent(tx, store.target.provider, [sha256]);
        if (!(await contentStoreFileInUse({ prisma: tx }, location))) await removeContent(location);
      }),
    );
  }
}

type Put = (content: Uint8Array, ext: string) => Promise<StoredContent>;

function studyDate(value: string | undefined, where: string): Date | null {
  return value ? parseStudyDate(value, where) : null;
}

async function dicomInput(
  file: string,
  bytes: Buffer,
  fields: SourceFields,
  maxPixels: number,
  put: Put,
): Promise<IngestInput> {
  const { metadata, image } = await readDicom(bytes, file, { maxPixels });
  const patientId = metadata.patientId ?? fields.patientId;
  if (!patientId) throw new Error("no PatientID (0010,0020) in the file; give --patient to ingest it");
  const png = await grayPng(image);
  const original = await put(bytes, "dcm");
  const rendered = await put(png, "png");
  return {
    patient: patientOf(metadata, patientId, fields),
    study: {
      studyInstanceUid: metadata.studyInstanceUid ?? fields.studyUid,
      studyDate: parseDicomDate(metadata.studyDate) ?? studyDate(fields.studyDate, file),
      accessionNumber: metadata.accessionNumber ?? fields.accession,
      description: metadata.studyDescription,
    },
    image: {
      sha256: original.sha256,
      location: rendered.location,
      format: "png",
      width: image.width,
      height: image.height,
      bytes: png.length,
      sopInstanceUid: metadata.sopInstanceUid,
      viewPosition: metadata.viewPosition ?? fields.view,
      sourceFormat: "dicom",
      sourceLocation: original.location,
    },
  };
}

function patientOf(metadata: DicomMetadata, patientId: string, fields: SourceFields): IngestInput["patient"] {
  return {
    patientId,
    issuer: metadata.issuerOfPatientId ?? fields.issuer,
    name: metadata.patientName,
    birthDate: metadata.patientBirthDate,
    sex: metadata.patientSex,
  };
}

async function pictureInput(
  file: string,
  bytes: Buffer,
  format: "png" | "jpeg",
  fields: SourceFields,
  maxPixels: number,
  put: Put,
): Promise<IngestInput> {
  if (!fields.patientId) {
    throw new Error(
      "no patient ID: PNG and JPEG carry none, so give one (upload form, --patient, --sidecar or <image>.json)",
    );
  }
  const when = studyDate(fields.studyDate, file);
  // The header alone (no pixel decoded): a small file can declare a huge image.
  const { width, height } = await imageHeader(bytes, file);
  checkPixels(file, width, height, maxPixels);
  const original = await put(bytes, format === "png" ? "png" : "jpg");
  return {
    patient: { patientId: fields.patientId, issuer: fields.issuer },
    study: { studyInstanceUid: fields.studyUid, studyDate: when, accessionNumber: fields.accession },
    image: {
      sha256: original.sha256,
      location: original.location,
      format,
      width,
      height,
      bytes: bytes.length,
      viewPosition: fields.view,
      sourceFormat: format,
      sourceLocation: original.location,
    },
  };
}
