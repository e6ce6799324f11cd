// What the instances CXR Lab stores into a PACS share (the SR of a result, the Secondary Capture of
// its Grad-CAM overlay): the image's own patient and study attributes, UIDs derived from what they
// are about (so storing one again names the same instance), and a Part 10 file written with dcmjs.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";

/** The part of dcmjs (its CommonJS build) this package calls. */
interface Dcmjs {
  data: {
    DicomMessage: {
      readFile(
        buffer: ArrayBuffer,
        options?: { untilTag?: string; includeUntilTagValue?: boolean },
      ): {
        dict: Record<string, unknown>;
      };
    };
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
    DicomMetaDictionary: {
      naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
    };
  };
}
const dcmjs = createRequire(import.meta.url)("dcmjs") as Dcmjs;
const { DicomDict, DicomMessage, DicomMetaDictionary } = dcmjs.data;

const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
/** The implementation class UID of the files CXR Lab writes (a 2.25 UUID-derived root). */
const IMPLEMENTATION_CLASS_UID = "2.25.86911526913524455301632410536470066419";

export const NOT_A_DIAGNOSIS =
  "Not a diagnosis. This is the output of a research classifier (CXR Lab), not reviewed by a clinician; " +
  "it must not be used on its own for diagnosis or treatment.";

/** Patient and study attributes kept from the image (Type 2, or empty there). */
const KEPT = [
  "PatientName",
  "PatientID",
  "IssuerOfPatientID",
  "PatientBirthDate",
  "PatientSex",
  "StudyInstanceUID",
  "StudyDate",
  "StudyTime",
  "StudyID",
  "AccessionNumber",
  "ReferringPhysicianName",
  "StudyDescription",
] as const;

/** Which run's model made the result. */
export interface ModelIdentity {
  runId: number;
  runName: string;
  codeVersion: string | null;
  /** sha256 of the model's topology and weights (core's modelFingerprint). */
  weightsDigest: string;
}

/** An instance to store, with its UIDs and the image it is about. */
export interface DerivedInstance {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** The referenced image. */
  imageSopInstanceUid: string;
  bytes: Buffer;
}

/** The image an instance is derived from: its UIDs and the attributes the instance keeps. */
export interface SourceImage {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** KEPT's attributes, empty when the image has none. */
  kept: Record<string, unknown>;
}

/** The header of the image's Part 10 file `original` (its pixel data is not read). */
export function sourceImage(original: Buffer): SourceImage {
  const source = DicomMetaDictionary.naturalizeDataset(
    DicomMessage.readFile(
      original.buffer.slice(original.byteOffset, original.byteOffset + original.byteLength) as ArrayBuffer,
      { untilTag: "7FE00010", includeUntilTagValue: false },
    ).dict,
  );
  const uidOf = (keyword: string) => {
    const value = source[keyword];
    if (typeof value !== "string" || !value) throw new Error(`the image has no ${keyword}`);
    return value;
  };
  return {
    studyInstanceUid: uidOf("StudyInstanceUID"),
    seriesInstanceUid: uidOf("SeriesInstanceUID"),
    sopInstanceUid: uidOf("SOPInstanceUID"),
    sopClassUid: uidOf("SOPClassUID"),
    kept: Object.fromEntries(KEPT.map((keyword) => [keyword, source[keyword] ?? ""])),
  };
}

/** A 2.25 UID (ISO/IEC 9834-8: a 128-bit number in decimal) derived from `parts`. */
export function derivedUid(...parts: readonly (string | number)[]): string {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString("hex")}`).toString()}`;
}

/** DA and TM of `now` (UTC). */
export function dicomDateTime(now: Date): { date: string; time: string } {
  const iso = now.toISOString();
  return { date: iso.slice(0, 10).replaceAll("-", ""), time: iso.slice(11, 19).replaceAll(":", "") };
}

/** A Part 10 file (Explicit VR Little Endian) of the naturalized `dataset`, with the image's KEPT attributes. */
export function part10(dataset: Record<string, unknown>, image: SourceImage): Buffer {
  const full = { ...dataset, ...image.kept };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: full.SOPClassUID,
    MediaStorageSOPInstanceUID: full.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(full);
  return Buffer.from(dict.write());
}
