import { readFile } from "node:fs/promises";
import { imageFileInfo } from "@cxrlab/core/data/file-info";
import { type DicomMetadata, grayPng, parseDicomDate, readDicom } from "@cxrlab/core/dicom";
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
import { contentStoreFileInUse, type IngestInput, ingestImage } from "./patients.ts";
import type { Store } from "./store.ts";

export interface IngestOptions {
  /** Root of the content-addressed image store. */
  imageStore: string;
  /** Fields for every file (flags); a sidecar row or `<image>.json` overrides them, DICOM tags win over all. */
  fields?: SourceFields;
  /** CSV or JSON sidecar naming fields per file. */
  sidecar?: string;
  onProgress?: (done: number, total: number, report: IngestReport) => void;
}

export interface IngestedFile {
  file: string;
  imageId: number;
  patientId: string;
  issuer: string;
  format: SourceFormat;
}

export interface IngestReport {
  new: IngestedFile[];
  known: IngestedFile[];
  rejected: { file: string; reason: string }[];
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
  const report: IngestReport = { new: [], known: [], rejected: [] };
  for (const [i, file] of files.entries()) {
    try {
      const fields = { ...options.fields, ...sidecar.get(file), ...(await readImageSidecar(file)) };
      const result = await ingestOne(store, file, fields, options.imageStore);
      report[result.status].push(result.entry);
    } catch (error) {
      report.rejected.push({ file, reason: (error as Error).message.replace(`${file}: `, "") });
    }
    options.onProgress?.(i + 1, files.length, report);
  }
  return report;
}

async function ingestOne(store: Store, file: string, fields: SourceFields, imageStore: string) {
  const bytes = await readFile(file);
  const format = sniffFormat(bytes);
  if (!format) throw new Error("not a DICOM, PNG or JPEG file (by its content)");
  const known = await store.prisma.image.findUnique({
    where: { sha256: sha256Of(bytes) },
    select: { id: true, study: { select: { patient: { select: { patientId: true, issuer: true } } } } },
  });
  if (known?.study) {
    const { patientId, issuer } = known.study.patient;
    return { status: "known" as const, entry: { file, imageId: known.id, patientId, issuer, format } };
  }
  const written: StoredContent[] = [];
  const put = async (content: Uint8Array, ext: string) => {
    const stored = await putContent(imageStore, content, ext);
    written.push(stored);
    return stored;
  };
  try {
    const input =
      format === "dicom"
        ? await dicomInput(file, bytes, fields, put)
        : await pictureInput(file, bytes, format, fields, put);
    const result = await ingestImage(store, input);
    // Known by its SOP Instance UID (other bytes): the files just written belong to no row.
    if (result.status === "known") await discardUnused(store, written);
    const { patientId, issuer } = input.patient;
    return {
      status: result.status,
      entry: { file, imageId: result.imageId, patientId, issuer: issuer ?? "", format },
    };
  } catch (error) {
    await discardUnused(store, written);
    throw error;
  }
}

/** Removes files this ingest created that no image row uses (another row may share the bytes). */
async function discardUnused(store: Store, written: StoredContent[]): Promise<void> {
  for (const { location, created } of written) {
    if (created && !(await contentStoreFileInUse(store, location))) await removeContent(location);
  }
}

type Put = (content: Uint8Array, ext: string) => Promise<StoredContent>;

function studyDate(value: string | undefined, where: string): Date | null {
  return value ? parseStudyDate(value, where) : null;
}

async function dicomInput(file: string, bytes: Buffer, fields: SourceFields, put: Put): Promise<IngestInput> {
  const { metadata, image } = await readDicom(bytes, file);
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
  put: Put,
): Promise<IngestInput> {
  if (!fields.patientId) {
    throw new Error("no patient ID for this image: give --patient, a --sidecar row or <image>.json");
  }
  const when = studyDate(fields.studyDate, file);
  const original = await put(bytes, format === "png" ? "png" : "jpg");
  const info = await imageFileInfo(original.location);
  return {
    patient: { patientId: fields.patientId, issuer: fields.issuer },
    study: { studyInstanceUid: fields.studyUid, studyDate: when, accessionNumber: fields.accession },
    image: {
      sha256: original.sha256,
      location: original.location,
      format,
      width: info.width,
      height: info.height,
      bytes: bytes.length,
      viewPosition: fields.view,
      sourceFormat: format,
      sourceLocation: original.location,
    },
  };
}
