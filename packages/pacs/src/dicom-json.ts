/** Attributes of the DICOM JSON model (PS3.18 F.2) that QIDO-RS answers with. */

export type DicomJsonDataset = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

/** Tags (group+element, upper-case hex) the searches read. */
export const TAG = {
  StudyDate: "00080020",
  ModalitiesInStudy: "00080061",
  Modality: "00080060",
  SOPClassUID: "00080016",
  SOPInstanceUID: "00080018",
  PatientID: "00100020",
  StudyInstanceUID: "0020000D",
  SeriesInstanceUID: "0020000E",
  ReferencedSOPSequence: "00081199",
  FailedSOPSequence: "00081198",
  ReferencedSOPInstanceUID: "00081155",
  FailureReason: "00081197",
} as const;

/** The first value of `tag` as text, or undefined. */
export function firstString(dataset: DicomJsonDataset, tag: string): string | undefined {
  const value = dataset[tag]?.Value?.[0];
  if (value === undefined || value === null) return undefined;
  return typeof value === "object" ? undefined : String(value);
}

/** Every value of `tag` as text. */
export function allStrings(dataset: DicomJsonDataset, tag: string): string[] {
  return (dataset[tag]?.Value ?? []).filter((v) => typeof v === "string") as string[];
}

/** The items of a sequence attribute. */
export function items(dataset: DicomJsonDataset, tag: string): DicomJsonDataset[] {
  return (dataset[tag]?.Value ?? []).filter((v) => v && typeof v === "object") as DicomJsonDataset[];
}

/** A QIDO-RS answer: a JSON array of datasets; anything else is an error naming `where`. */
export function datasets(json: unknown, where: string): DicomJsonDataset[] {
  if (!Array.isArray(json) || json.some((d) => !d || typeof d !== "object" || Array.isArray(d))) {
    throw new Error(`${where}: expected a JSON array of DICOM datasets`);
  }
  return json as DicomJsonDataset[];
}
