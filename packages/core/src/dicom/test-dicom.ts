// Builds small DICOM files in code for tests (core's unit tests, the CLI's ingest test, the
// dashboard's browser fixture). dcmjs is a root devDependency: import this from tests only.
/// <reference path="./dcmjs.d.ts" />
import dcmjs from "dcmjs";
import sharp from "sharp";

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const TRANSFER_SYNTAX = {
  implicitLittle: "1.2.840.10008.1.2",
  explicitLittle: "1.2.840.10008.1.2.1",
  explicitBig: "1.2.840.10008.1.2.2",
  jpegBaseline: "1.2.840.10008.1.2.4.50",
  jpeg2000Lossless: "1.2.840.10008.1.2.4.90",
} as const;

export interface TestDicom {
  width: number;
  height: number;
  /** Stored values, row-major: raw words for 16-bit (bits above BitsStored included), 0..255 for JPEG. */
  pixels: readonly number[];
  bitsAllocated?: 8 | 16;
  bitsStored?: number;
  /** 1 = signed stored values (two's complement in BitsStored bits). */
  pixelRepresentation?: 0 | 1;
  photometric?: "MONOCHROME1" | "MONOCHROME2";
  transferSyntax?: string;
  rescale?: { slope: number; intercept: number };
  window?: { center: number; width: number };
  voiLut?: { firstMapped: number; bits: number; data: readonly number[] };
  /** For compressed syntaxes other than JPEG Baseline: the bytes to put in the one fragment. */
  fragment?: Uint8Array;
  /** DICOM keywords -> values, over the defaults below; undefined removes one (e.g. PatientID). */
  attributes?: Record<string, string | undefined>;
}

const SOP_CLASS_DX = "1.2.840.10008.5.1.4.1.1.1.1";

export const DEFAULT_ATTRIBUTES: Record<string, string> = {
  PatientID: "TEST-1",
  PatientName: "Test^Patient",
  StudyInstanceUID: "1.2.826.0.1.3680043.8.498.1",
  SOPInstanceUID: "1.2.826.0.1.3680043.8.498.1.1",
  StudyDate: "20240102",
  Modality: "DX",
  ViewPosition: "PA",
};

/** A Part 10 DICOM file (preamble, "DICM", meta header, data set) as bytes. */
export async function buildDicom(spec: TestDicom): Promise<Buffer> {
  const syntax = spec.transferSyntax ?? TRANSFER_SYNTAX.explicitLittle;
  const bitsAllocated = spec.bitsAllocated ?? (syntax === TRANSFER_SYNTAX.jpegBaseline ? 8 : 16);
  const bitsStored = spec.bitsStored ?? bitsAllocated;
  const attributes = { ...DEFAULT_ATTRIBUTES, ...spec.attributes };
  const natural: Record<string, unknown> = {
    SOPClassUID: SOP_CLASS_DX,
    Rows: spec.height,
    Columns: spec.width,
    SamplesPerPixel: 1,
    PhotometricInterpretation: spec.photometric ?? "MONOCHROME2",
    BitsAllocated: bitsAllocated,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: spec.pixelRepresentation ?? 0,
    PixelData: [await pixelData(spec, syntax, bitsAllocated)],
    _vrMap: { PixelData: bitsAllocated === 8 ? "OB" : "OW" },
  };
  for (const [keyword, value] of Object.entries(attributes))
    if (value !== undefined) natural[keyword] = value;
  if (spec.rescale) {
    natural.RescaleSlope = String(spec.rescale.slope);
    natural.RescaleIntercept = String(spec.rescale.intercept);
  }
  if (spec.window) {
    natural.WindowCenter = String(spec.window.center);
    natural.WindowWidth = String(spec.window.width);
  }
  if (spec.voiLut) {
    const { firstMapped, bits, data } = spec.voiLut;
    natural.VOILUTSequence = [
      {
        LUTDescriptor: [data.length, firstMapped, bits],
        LUTData: [...data],
        // Both are "US or SS" / "US or OW" in the dictionary: name the VR.
        _vrMap: { LUTDescriptor: "US", LUTData: "US" },
      },
    ];
  }
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: SOP_CLASS_DX,
    MediaStorageSOPInstanceUID: attributes.SOPInstanceUID ?? "1.2.3",
    TransferSyntaxUID: syntax,
    ImplementationClassUID: "1.2.826.0.1.3680043.8.498",
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(natural);
  return Buffer.from(dict.write());
}

async function pixelData(spec: TestDicom, syntax: string, bitsAllocated: 8 | 16): Promise<ArrayBuffer> {
  if (spec.pixels.length !== spec.width * spec.height) {
    throw new Error(`test DICOM: ${spec.pixels.length} pixels for ${spec.width}x${spec.height}`);
  }
  if (syntax === TRANSFER_SYNTAX.jpegBaseline) {
    const jpeg = await sharp(Uint8Array.from(spec.pixels), {
      raw: { width: spec.width, height: spec.height, channels: 1 },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    return toArrayBuffer(jpeg);
  }
  if (spec.fragment) return toArrayBuffer(spec.fragment);
  if (bitsAllocated === 8) return Uint8Array.from(spec.pixels).buffer;
  // 16-bit words in the file's byte order (dcmjs writes the buffer as given).
  const view = new DataView(new ArrayBuffer(spec.pixels.length * 2));
  const little = syntax !== TRANSFER_SYNTAX.explicitBig;
  for (const [i, v] of spec.pixels.entries()) view.setUint16(i * 2, v & 0xffff, little);
  return view.buffer;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
