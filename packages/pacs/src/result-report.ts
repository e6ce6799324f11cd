// The model's result for one archived DICOM image as a DICOM Comprehensive SR document, written
// with dcmjs into the image's own study (its patient and study attributes copied), under UIDs
// derived from (run, image) so that storing it again names the same instance.
import { createHash } from "node:crypto";
import {
  type DerivedInstance,
  derivedUid,
  dicomDateTime,
  type ModelIdentity,
  NOT_A_DIAGNOSIS,
  part10,
  type SourceImage,
} from "./derived-instance.ts";

export const COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";

export interface ReportedPrediction {
  predictedClass: string;
  /** Class name -> probability in [0, 1]. */
  probabilities: Record<string, number>;
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

/**
 * The SR for `prediction` of `model` on `image`: the classification, each class probability
 * (percent), the model's identity and the statement that it is not a diagnosis.
 */
export function buildResultReport(
  image: SourceImage,
  prediction: ReportedPrediction,
  model: ModelIdentity,
  now = new Date(),
): DerivedInstance {
  const { studyInstanceUid } = image;
  const imageSopInstanceUid = image.sopInstanceUid;
  const imageSeriesUid = image.seriesInstanceUid;
  const imageSopClassUid = image.sopClassUid;
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
  return {
    studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    imageSopInstanceUid,
    bytes: part10(dataset, image),
  };
}
