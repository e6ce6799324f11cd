// Builds small DICOM files in code for tests (core's unit tests, the CLI's ingest test, the
// dashboard's browser fixture). dcmjs is a root devDependency: import this from tests only.
/// <reference path="./dcmjs.d.ts" />
import { deflateRawSync } from "node:zlib";
import dcmjs from "dcmjs";
import sharp from "sharp";

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const TRANSFER_SYNTAX = {
  implicitLittle: "1.2.840.10008.1.2",
  explicitLittle: "1.2.840.10008.1.2.1",
  deflatedExplicitLittle: "1.2.840.10008.1.2.1.99",
  explicitBig: "1.2.840.10008.1.2.2",
  jpegBaseline: "1.2.840.10008.1.2.4.50",
  jpeg2000Lossless: "1.2.840.10008.1.2.4.90",
  htj2kLossless: "1.2.840.10008.1.2.4.201",
  htj2k: "1.2.840.10008.1.2.4.203",
  jpegXlLossless: "1.2.840.10008.1.2.4.110",
  rleLossless: "1.2.840.10008.1.2.5",
} as const;

/** Syntaxes whose Pixel Data dcmjs writes as fragments. */
const ENCAPSULATED: readonly string[] = [
  TRANSFER_SYNTAX.jpegBaseline,
  TRANSFER_SYNTAX.jpeg2000Lossless,
  TRANSFER_SYNTAX.htj2kLossless,
  TRANSFER_SYNTAX.htj2k,
  TRANSFER_SYNTAX.jpegXlLossless,
  TRANSFER_SYNTAX.rleLossless,
];

export interface TestDicom {
  width: number;
  height: number;
  /**
   * Stored values, row-major, frame after frame: raw words for 16-bit (bits above BitsStored
   * included), 0..255 for JPEG.
   */
  pixels: readonly number[];
  /** NumberOfFrames, for uncompressed syntaxes (default 1: the attribute is left out). */
  frames?: number;
  bitsAllocated?: 8 | 16;
  bitsStored?: number;
  /** 1 = signed stored values (two's complement in BitsStored bits). */
  pixelRepresentation?: 0 | 1;
  photometric?: "MONOCHROME1" | "MONOCHROME2";
  transferSyntax?: string;
  rescale?: { slope: number; intercept: number };
  window?: { center: number; width: number };
  voiLut?: { firstMapped: number; bits: number; data: readonly number[] };
  /** For compressed syntaxes: the bytes to put in the one fragment instead of the encoded pixels. */
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
    ...(spec.frames ? { NumberOfFrames: String(spec.frames) } : {}),
    PixelData: [await pixelData(spec, syntax, bitsAllocated)],
    _vrMap: { PixelData: bitsAllocated === 8 || ENCAPSULATED.includes(syntax) ? "OB" : "OW" },
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
  // dcmjs writes a deflated file's data set uncompressed: deflate what follows the File Meta group,
  // whose end its first element, Group Length (0002,0000) at byte 140, gives.
  const file = Buffer.from(dict.write());
  if (syntax !== TRANSFER_SYNTAX.deflatedExplicitLittle) return file;
  const metaEnd = 144 + file.readUInt32LE(140);
  return Buffer.concat([file.subarray(0, metaEnd), deflateRawSync(file.subarray(metaEnd))]);
}

async function pixelData(spec: TestDicom, syntax: string, bitsAllocated: 8 | 16): Promise<ArrayBuffer> {
  if (spec.pixels.length !== spec.width * spec.height * (spec.frames ?? 1)) {
    throw new Error(
      `test DICOM: ${spec.pixels.length} pixels for ${spec.frames ?? 1} frames of ${spec.width}x${spec.height}`,
    );
  }
  if (spec.fragment) return toArrayBuffer(spec.fragment);
  if (syntax === TRANSFER_SYNTAX.rleLossless) return toArrayBuffer(rleFrame(spec.pixels, bitsAllocated));
  if (syntax === TRANSFER_SYNTAX.jpegBaseline) {
    const jpeg = await sharp(Uint8Array.from(spec.pixels), {
      raw: { width: spec.width, height: spec.height, channels: 1 },
    })
      .toColourspace("b-w")
      .jpeg({ quality: 100 })
      .toBuffer();
    return toArrayBuffer(jpeg);
  }
  if (bitsAllocated === 8) return Uint8Array.from(spec.pixels).buffer;
  // 16-bit words in the file's byte order (dcmjs writes the buffer as given).
  const view = new DataView(new ArrayBuffer(spec.pixels.length * 2));
  const little = syntax !== TRANSFER_SYNTAX.explicitBig;
  for (const [i, v] of spec.pixels.entries()) view.setUint16(i * 2, v & 0xffff, little);
  return view.buffer;
}

/**
 * One RLE Lossless frame (PS3.5 Annex G) of grey pixels: the 64-byte header, then a PackBits segment
 * per byte plane, most significant first, each padded to an even length.
 */
export function rleFrame(pixels: readonly number[], bitsAllocated: 8 | 16): Uint8Array {
  const planes =
    bitsAllocated === 8
      ? [Uint8Array.from(pixels)]
      : [Uint8Array.from(pixels, (v) => (v >> 8) & 0xff), Uint8Array.from(pixels, (v) => v & 0xff)];
  const segments = planes.map(packBits);
  const header = new DataView(new ArrayBuffer(64));
  header.setUint32(0, segments.length, true);
  let offset = 64;
  for (const [i, segment] of segments.entries()) {
    header.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  }
  return Uint8Array.from([...new Uint8Array(header.buffer), ...segments.flat()]);
}

/** PackBits: runs of 2..128 equal bytes as (257 - length, byte), the rest as (length - 1, bytes...). */
function packBits(plane: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < plane.length) {
    let run = 1;
    while (run < 128 && plane[i + run] === plane[i]) run++;
    if (run > 1) {
      out.push(257 - run, plane[i]!);
      i += run;
      continue;
    }
    // A literal ends where a run of two equal bytes starts.
    let end = i + 1;
    while (end < plane.length && end - i < 128 && plane[end] !== plane[end + 1]) end++;
    out.push(end - i - 1, ...plane.subarray(i, end));
    i = end;
  }
  if (out.length % 2) out.push(0);
  return out;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
