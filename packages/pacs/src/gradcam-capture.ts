// The Grad-CAM overlay of a result as a DICOM Secondary Capture (RGB) in the image's own study:
// rendered by core's Grad-CAM service (as `cxrlab predict --gradcam` renders it), written with dcmjs
// under UIDs derived from (run, image) like the SR's, and marked as not for diagnosis.
import { createGradCamService, type GradCamService } from "@cxrlab/core/gradcam";
import { loadModelForInference } from "@cxrlab/core/inference";
import sharp from "sharp";
import {
  type DerivedInstance,
  derivedUid,
  dicomDateTime,
  type ModelIdentity,
  NOT_A_DIAGNOSIS,
  part10,
  type SourceImage,
} from "./derived-instance.ts";

/** Secondary Capture Image Storage (PS3.4 B.5). */
export const SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

/** Longest side of a stored overlay (as the dashboard's heatmaps). */
const MAX_SIDE = 1024;

/** The Secondary Capture's UIDs for `image` and run `runId`: known before the overlay is rendered. */
export function gradCamCaptureUids(runId: number, image: SourceImage) {
  return {
    seriesInstanceUid: derivedUid("cxrlab-gradcam-series", runId, image.studyInstanceUid),
    sopInstanceUid: derivedUid("cxrlab-gradcam", runId, image.sopInstanceUid),
  };
}

/** An overlay as RGB pixels, interleaved. */
export interface RgbOverlay {
  width: number;
  height: number;
  rgb: Buffer;
  className: string;
  probability: number;
}

/** Renders Grad-CAM overlays of one run's model; `close` frees the model. */
export interface OverlayRenderer {
  /** The overlay of class `className` on the image file `png`, at its aspect, its longest side ≤ 1024. */
  render(png: string, className: string): Promise<RgbOverlay>;
  close(): Promise<void>;
}

export async function overlayRenderer(modelDir: string): Promise<OverlayRenderer> {
  const loaded = await loadModelForInference(modelDir);
  let service: GradCamService;
  try {
    service = await createGradCamService(loaded);
  } catch (error) {
    loaded.model.dispose();
    throw error;
  }
  return {
    async render(png, className) {
      const target = service.classNames.indexOf(className);
      if (target < 0) {
        throw new Error(`the model has no class "${className}" (${service.classNames.join(", ")})`);
      }
      const { width = 0, height = 0 } = await sharp(png).metadata();
      const side = Math.min(Math.max(width, height), MAX_SIDE);
      const square = await service.png(png, { target, kind: "overlay", size: side });
      // The network saw the image stretched to a square; stretch the overlay back to the image's shape.
      const scale = side / Math.max(width, height);
      const { data, info } = await sharp(square.png)
        .resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), {
          fit: "fill",
        })
        .removeAlpha()
        .toColourspace("srgb")
        .raw()
        .toBuffer({ resolveWithObject: true });
      return {
        width: info.width,
        height: info.height,
        rgb: data,
        className: square.className,
        probability: square.probability,
      };
    },
    async close() {
      await service.dispose();
      loaded.model.dispose();
    },
  };
}

/** The Secondary Capture of `overlay`, in the study of `image`, with its patient and study attributes. */
export function buildGradCamCapture(
  image: SourceImage,
  overlay: RgbOverlay,
  model: ModelIdentity,
  now = new Date(),
): DerivedInstance {
  const { seriesInstanceUid, sopInstanceUid } = gradCamCaptureUids(model.runId, image);
  const { date, time } = dicomDateTime(now);
  const { width, height } = overlay;
  if (overlay.rgb.length !== width * height * 3) {
    throw new Error(`the overlay holds ${overlay.rgb.length} bytes, not ${width}×${height} RGB`);
  }
  // OB values have an even length.
  const pixels = Buffer.alloc(overlay.rgb.length + (overlay.rgb.length % 2));
  overlay.rgb.copy(pixels);
  const percent = (overlay.probability * 100).toFixed(2);
  const dataset: Record<string, unknown> = {
    SOPClassUID: SECONDARY_CAPTURE,
    SOPInstanceUID: sopInstanceUid,
    SpecificCharacterSet: "ISO_IR 192",
    Modality: "OT",
    ConversionType: "WSD",
    Manufacturer: "CXR Lab",
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: "9902",
    SeriesDescription: `CXR Lab run ${model.runId} Grad-CAM (not for diagnosis)`,
    InstanceNumber: "1",
    PatientOrientation: "",
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    ImageType: ["DERIVED", "SECONDARY"],
    DerivationDescription:
      `Grad-CAM overlay of class ${overlay.className} (probability ${percent}%) by CXR Lab run ` +
      `${model.runId} (${model.runName}), weights SHA-256 ${model.weightsDigest}. Not for diagnosis.`,
    ImageComments: NOT_A_DIAGNOSIS,
    SourceImageSequence: [
      { ReferencedSOPClassUID: image.sopClassUid, ReferencedSOPInstanceUID: image.sopInstanceUid },
    ],
    BurnedInAnnotation: "NO",
    SamplesPerPixel: 3,
    PhotometricInterpretation: "RGB",
    PlanarConfiguration: 0,
    Rows: height,
    Columns: width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.length)],
    _vrMap: { PixelData: "OB" },
  };
  return {
    studyInstanceUid: image.studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    imageSopInstanceUid: image.sopInstanceUid,
    bytes: part10(dataset, image),
  };
}
