// The model's result for one archived DICOM image as a DICOM Comprehensive SR document, written
// with dcmjs into the image's own study (its patient and study attributes copied), under UIDs
// derived from (run, image) so that storing it again names the same instance.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";

/** The part of dcmjs (its CommonJS build) this module calls. */
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

export const COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";
const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
/** The implementation class UID of the files CXR Lab writes (a 2.25 UUID-derived root). */
const IMPLEMENTATION_CLASS_UID = "2.25.86911526913524455301632410536470066419";

export const NOT_A_DIAGNOSIS =
  "Not a diagnosis. This is the output of a research classifier (CXR Lab), not reviewed by a clinician; " +
  "it must not be used on its own for diagnosis or treatment.";

/** Patient and study attributes the SR keeps from the image it reports on (Type 2, or empty there). */
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

export interface ModelIdentity {
  runId: number;
  runName: string;
  codeVersion: string | null;
  /** sha256 of the model's topology and weights (core's modelFingerprint). */
  weightsDigest: string;
}

export interface ReportedPrediction {
  predictedClass: string;
  /** Class name -> probability in [0, 1]. */
  probabilities: Record<string, number>;
}

export interface ResultReport {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** The referenced image. */
  imageSopInstanceUid: string;
  bytes: Buffer;
}

/** A 2.25 UID (ISO/IEC 9834-8: a 128-bit number in decimal) derived from `parts`. */
export function derivedUid(...parts: readonly (string | number)[]): string {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString("hex")}`).toString()}`;
}

const code = (value: string, scheme: string, meaning: string) => [
  { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning },
];
/** CXR Lab's own concepts, in a private coding scheme (PS3.16: 99 prefix). */
const local = (value: string, meaning: string) => code(value, "99CXRLAB", meaning);

/** A class's code (SH: at most 16 characters), from its name's hash; the meaning names it. */
const classCode = (className: string) =>
  `p-${createHash("sha256").update(className).digest("hex").slice(0, 12)}`;

const text = (concept: ReturnType<typeof code>, value: string) => ({
  RelationshipType: "CONTAINS",
  ValueType: "TEXT",
  ConceptNameCodeSequence: concept,
  TextValue: value,
});

const dicomDateTime = (now: Date) => {
  const iso = now.toISOString();
  return { date: iso.slice(0, 10).replaceAll("-", ""), time: iso.slice(11, 19).replaceAll(":", "") };
};

/**
 * The SR for `prediction` of `model` on the image whose Part 10 file is `original`: the classification,
 * each class probability (percent), the model's identity and the statement that it is not a diagnosis.
 */
export function buildResultReport(
  original: Buffer,
  prediction: ReportedPrediction,
  model: ModelIdentity,
  now = new Date(),
): ResultReport {
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
  const studyInstanceUid = uidOf("StudyInstanceUID");
  const imageSopInstanceUid = uidOf("SOPInstanceUID");
  const imageSeriesUid = uidOf("SeriesInstanceUID");
  const imageSopClassUid = uidOf("SOPClassUID");
  const seriesInstanceUid = derivedUid("cxrlab-sr-series", model.runId, studyInstanceUid);
  const sopInstanceUid = derivedUid("cxrlab-sr", model.runId, imageSopInstanceUid);
  const { date, time } = dicomDateTime(now);
  const confidence = prediction.probabilities[prediction.predictedClass] ?? 0;
  const percent = (p: number) => Number((p * 100).toFixed(2));
  const evidence = [
    {
      StudyInstanceUID: studyInstanceUid,
      ReferencedSeriesSequence: [
        {
          SeriesInstanceUID: imageSeriesUid,
          ReferencedSOPSequence: [
            { ReferencedSOPClassUID: imageSopClassUid, ReferencedSOPInstanceUID: imageSopInstanceUid },
          ],
        },
      ],
    },
  ];
  const dataset: Record<string, unknown> = {
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: sopInstanceUid,
    SpecificCharacterSet: "ISO_IR 192",
    Modality: "SR",
    Manufacturer: "CXR Lab",
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: "9901",
    SeriesDescription: `CXR Lab run ${model.runId} results`,
    InstanceNumber: "1",
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    PerformedProcedureCodeSequence: [],
    CompletionFlag: "COMPLETE",
    VerificationFlag: "UNVERIFIED",
    CurrentRequestedProcedureEvidenceSequence: evidence,
    ValueType: "CONTAINER",
    ContinuityOfContent: "SEPARATE",
    ConceptNameCodeSequence: local(
      "cxr-classification",
      "Chest X-ray classification (CXR Lab, not a diagnosis)",
    ),
    ContentSequence: [
      text(code("121106", "DCM", "Comment"), NOT_A_DIAGNOSIS),
      {
        RelationshipType: "CONTAINS",
        ValueType: "IMAGE",
        ConceptNameCodeSequence: code("121112", "DCM", "Source of Measurement"),
        ReferencedSOPSequence: [
          { ReferencedSOPClassUID: imageSopClassUid, ReferencedSOPInstanceUID: imageSopInstanceUid },
        ],
      },
      text(
        code("121071", "DCM", "Finding"),
        `${prediction.predictedClass} (probability ${percent(confidence)}%; not a diagnosis)`,
      ),
      ...Object.entries(prediction.probabilities).map(([className, p]) => ({
        RelationshipType: "CONTAINS",
        ValueType: "NUM",
        ConceptNameCodeSequence: local(classCode(className), `Probability of ${className}`),
        MeasuredValueSequence: [
          {
            NumericValue: String(percent(p)),
            MeasurementUnitsCodeSequence: code("%", "UCUM", "percent"),
          },
        ],
      })),
      text(code("111001", "DCM", "Algorithm Name"), `CXR Lab run ${model.runId} (${model.runName})`),
      text(code("111003", "DCM", "Algorithm Version"), model.codeVersion ?? "unknown"),
      text(local("weights-sha256", "Model weights SHA-256"), model.weightsDigest),
    ],
  };
  // Type 2 attributes are present, empty when the image has none.
  for (const keyword of KEPT) dataset[keyword] = source[keyword] ?? "";
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: COMPREHENSIVE_SR,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return {
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    imageSopInstanceUid,
    bytes: Buffer.from(dict.write()),
  };
}
