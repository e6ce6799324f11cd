import { inflateRawSync } from "node:zlib";
import dicomParser, { type DataSet, type Element } from "dicom-parser";
import sharp from "sharp";
import { checkPixels, DEFAULT_INPUT_LIMITS, formatBytes } from "../limits.ts";
import { decodeFrame, type FrameInfo, type WorkerLimits } from "./codecs/index.ts";
import { type ColourModel, luma } from "./colour.ts";
import { decodeRleFrame } from "./rle.ts";
import {
  DEFLATED_EXPLICIT_LITTLE_ENDIAN,
  EXPLICIT_LITTLE_ENDIAN,
  type PixelEncoding,
  pixelEncoding,
} from "./transfer-syntax.ts";
import { toDisplay, type Voi } from "./voi.ts";

/** The attributes the archive keeps; absent or empty attributes are undefined. */
export interface DicomMetadata {
  transferSyntaxUid: string;
  patientId?: string;
  issuerOfPatientId?: string;
  patientName?: string;
  /** DA, YYYYMMDD. */
  patientBirthDate?: string;
  patientSex?: string;
  studyInstanceUid?: string;
  /** DA, YYYYMMDD. */
  studyDate?: string;
  accessionNumber?: string;
  studyDescription?: string;
  sopInstanceUid?: string;
  viewPosition?: string;
  modality?: string;
}

/** 8-bit grey, row-major, with the file's VOI applied and MONOCHROME1 inverted. */
export interface DicomGrayImage {
  width: number;
  height: number;
  gray: Uint8Array;
}

const TAGS = {
  patientId: "x00100020",
  issuerOfPatientId: "x00100021",
  patientName: "x00100010",
  patientBirthDate: "x00100030",
  patientSex: "x00100040",
  studyInstanceUid: "x0020000d",
  studyDate: "x00080020",
  accessionNumber: "x00080050",
  studyDescription: "x00081030",
  sopInstanceUid: "x00080018",
  viewPosition: "x00185101",
  modality: "x00080060",
} as const satisfies Record<Exclude<keyof DicomMetadata, "transferSyntaxUid">, string>;

/** Part 10 files carry "DICM" after a 128-byte preamble, whatever their name. */
export function isDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && Buffer.from(bytes.subarray(128, 132)).toString("latin1") === "DICM";
}

interface Parsed {
  ds: DataSet;
  /** From the File Meta group: a deflated file's data set is parsed on its own, without that group. */
  transferSyntaxUid: string;
}

/**
 * A deflated data set inflates to at most a 16-bit frame at the pixel limit plus a file's worth of
 * other attributes: a few KB of deflated zeros must not become gigabytes in memory.
 */
const maxInflatedBytes = (maxPixels: number) => 2 * maxPixels + DEFAULT_INPUT_LIMITS.fileBytes;

function parse(bytes: Uint8Array, file: string, maxPixels = DEFAULT_INPUT_LIMITS.pixels): Parsed {
  const meta = parsing(file, () => dicomParser.readPart10Header(bytes.subarray(0, metaGroupEnd(bytes))));
  const transferSyntaxUid = meta.string("x00020010")?.trim() || "1.2.840.10008.1.2";
  if (transferSyntaxUid !== DEFLATED_EXPLICIT_LITTLE_ENDIAN) {
    return { ds: parsing(file, () => dicomParser.parseDicom(bytes)), transferSyntaxUid };
  }
  // dicom-parser's own inflation re-reads the file from byte 0, preamble included, which fails
  // whenever the preamble is not zeros; so inflate here and parse the data set by itself.
  const start = (meta as DataSet & { position: number }).position;
  const inflated = inflate(bytes.subarray(start), file, maxInflatedBytes(maxPixels));
  return {
    ds: parsing(file, () => dicomParser.parseDicom(inflated, { TransferSyntaxUID: EXPLICIT_LITTLE_ENDIAN })),
    transferSyntaxUid,
  };
}

/**
 * The end of the File Meta group by its Group Length (0002,0000) when the file starts with it, as
 * PS3.10 7.1 requires; otherwise the whole file (the group then ends at its first other element).
 */
function metaGroupEnd(bytes: Uint8Array): number {
  const groupLength = [0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00];
  if (bytes.length < 144 || groupLength.some((b, i) => bytes[132 + i] !== b)) return bytes.length;
  const length = new DataView(bytes.buffer, bytes.byteOffset + 140, 4).getUint32(0, true);
  return Math.min(bytes.length, 144 + length);
}

function inflate(deflated: Uint8Array, file: string, maxOutputLength: number): Uint8Array {
  try {
    return inflateRawSync(deflated, { maxOutputLength });
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
        ? `it inflates to more than ${formatBytes(maxOutputLength)}`
        : (error as Error).message;
    throw new Error(
      `${file}: the deflated data set (Deflated Explicit VR Little Endian) cannot be read: ${reason}`,
    );
  }
}

function parsing<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    // dicom-parser throws strings (or an object with an `exception` string).
    const reason =
      typeof error === "string"
        ? error
        : error instanceof Error
          ? error.message
          : String((error as { exception?: unknown }).exception ?? error);
    throw new Error(`${file}: not a readable DICOM file (${reason.replace(/^dicomParser\.\w+: /, "")})`);
  }
}

function metadataOf({ ds, transferSyntaxUid }: Parsed): DicomMetadata {
  const metadata: DicomMetadata = { transferSyntaxUid };
  for (const [key, tag] of Object.entries(TAGS) as [keyof typeof TAGS, string][]) {
    const value = ds.string(tag)?.trim();
    if (value) metadata[key] = value;
  }
  return metadata;
}

export function readDicomMetadata(bytes: Uint8Array, file: string): DicomMetadata {
  return metadataOf(parse(bytes, file));
}

/**
 * Metadata and the first frame as 8-bit grey (a multi-frame file shows its first frame, as a
 * thumbnail does). Throws naming the file for anything it cannot render: UnsupportedTransferSyntaxError
 * for a syntax without a decoder, UndecodablePixelDataError for pixel data its codec refuses, and
 * TooManyPixelsError before decoding a frame larger than `maxPixels` (default: core's limit).
 */
export async function readDicom(
  bytes: Uint8Array,
  file: string,
  options: { maxPixels?: number; decodeLimits?: WorkerLimits } = {},
): Promise<{ metadata: DicomMetadata; image: DicomGrayImage }> {
  const parsed = parse(bytes, file, options.maxPixels);
  const { ds } = parsed;
  const metadata = metadataOf(parsed);
  const encoding = pixelEncoding(file, metadata.transferSyntaxUid);
  const info = frameInfo(ds, file);
  const { width, height } = info;
  // Rows × Columns bound the buffers below (and the decoders'); check them before decoding.
  checkPixels(file, width, height, options.maxPixels ?? DEFAULT_INPUT_LIMITS.pixels);
  const pixelData = ds.elements.x7fe00010;
  if (!pixelData) throw new Error(`${file}: no Pixel Data (7FE0,0010)`);
  const photometric = ds.string("x00280004")?.trim() ?? "MONOCHROME2";
  const count = width * height;
  const where = { file, uid: metadata.transferSyntaxUid };
  const frame =
    encoding === "little-endian" || encoding === "big-endian"
      ? {
          words: nativeWords(
            ds,
            pixelData,
            nativeWordCount(info, photometric),
            info.bitsAllocated,
            encoding,
            file,
          ),
          planar: ds.uint16("x00280006") === 1,
          rgb: false,
        }
      : encoding === "rle"
        ? {
            words: decodeRleFrame(firstFrame(ds, pixelData, file), count, bytesOf(info), info.samples, file),
            planar: true,
            rgb: false,
          }
        : await decodeFrame(encoding, firstFrame(ds, pixelData, file), info, where, options.decodeLimits);
  const decoded = encoding !== "little-endian" && encoding !== "big-endian" && encoding !== "rle";
  const stored = storedValues(ds, frame.words, decoded);
  if (info.samples === 1) {
    const gray = toDisplay(stored, {
      slope: ds.floatString("x00281053") ?? 1,
      intercept: ds.floatString("x00281052") ?? 0,
      voi: voiOf(ds, file),
      invert: photometric === "MONOCHROME1",
    });
    return { metadata, image: { width, height, gray } };
  }
  const model = colourModel(photometric, frame.rgb, encoding, file);
  // Colour pixels are shown as stored: the full range of BitsStored is black to white.
  const gray = toDisplay(luma(stored, count, width, model, frame.planar), {
    slope: 1,
    intercept: 0,
    voi: { kind: "range", max: 2 ** info.bitsStored - 1 },
    invert: false,
  });
  return { metadata, image: { width, height, gray } };
}

/** Rows, Columns, SamplesPerPixel and bit depth, refusing what no decoder here reads. */
function frameInfo(ds: DataSet, file: string): FrameInfo {
  const width = ds.uint16("x00280011") ?? 0;
  const height = ds.uint16("x00280010") ?? 0;
  const samples = ds.uint16("x00280002") ?? 1;
  const bitsAllocated = ds.uint16("x00280100") ?? 16;
  const photometric = ds.string("x00280004")?.trim() ?? "MONOCHROME2";
  if (width < 1 || height < 1) throw new Error(`${file}: no image size (Rows ${height}, Columns ${width})`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new Error(`${file}: BitsAllocated ${bitsAllocated}; only 8 and 16 are read`);
  }
  const grey = samples === 1 && photometric.startsWith("MONOCHROME");
  const colour = samples === 3 && COLOUR.includes(photometric);
  if (!grey && !colour) {
    throw new Error(
      `${file}: photometric interpretation ${photometric} with ${samples} samples per pixel; ` +
        `read are MONOCHROME1/2 with 1 sample and ${COLOUR.join(", ")} with 3`,
    );
  }
  return {
    width,
    height,
    samples,
    bitsAllocated: bitsAllocated as 8 | 16,
    bitsStored: ds.uint16("x00280101") ?? bitsAllocated,
  };
}

/** Colour photometric interpretations read (PS3.3 C.7.6.3.1.2); PALETTE COLOR is not. */
const COLOUR = ["RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT"];

/**
 * How decoded colour words are arranged: JPEG 2000 undoes its colour transform (YBR_RCT/ICT come out
 * RGB) and sharp's JPEG decoder outputs RGB; otherwise the words are as PhotometricInterpretation says.
 */
function colourModel(photometric: string, rgb: boolean, encoding: PixelEncoding, file: string): ColourModel {
  if (rgb || photometric === "RGB" || photometric === "YBR_RCT" || photometric === "YBR_ICT") {
    if (photometric.startsWith("YBR_") && !rgb && encoding !== "jpeg2000" && encoding !== "htj2k") {
      throw new Error(
        `${file}: ${photometric} is a JPEG 2000 colour transform, not read from ${encoding} pixel data`,
      );
    }
    return "rgb";
  }
  // A codec decodes YBR_FULL_422 to full-resolution samples; only uncompressed words keep the pairs.
  if (photometric === "YBR_FULL_422" && (encoding === "little-endian" || encoding === "big-endian"))
    return "ybr-422";
  return "ybr";
}

const bytesOf = (info: FrameInfo): 1 | 2 => (info.bitsAllocated === 8 ? 1 : 2);

/** Words of one uncompressed frame: YBR_FULL_422 keeps 2 words a pixel (PS3.3 C.7.6.3.1.2). */
function nativeWordCount(info: FrameInfo, photometric: string): number {
  const perPixel = photometric === "YBR_FULL_422" ? 2 : info.samples;
  return info.width * info.height * perPixel;
}

/**
 * Stored values of decoded words, masked to BitsStored (from HighBit down) and sign-extended when
 * PixelRepresentation is 1. Unsigned words a codec decoded are clamped instead: they have no bits
 * above BitsStored but a lossy codestream of higher precision may overshoot its top value.
 */
function storedValues(ds: DataSet, raw: Uint8Array | Uint16Array, decoded: boolean): Int32Array {
  const allocated = ds.uint16("x00280100") ?? 16;
  const bitsStored = ds.uint16("x00280101") ?? allocated;
  const highBit = ds.uint16("x00280102") ?? bitsStored - 1;
  const signed = ds.uint16("x00280103") === 1;
  const shift = highBit + 1 - bitsStored;
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const out = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (decoded && !signed) {
      out[i] = Math.min(raw[i]!, mask);
      continue;
    }
    const v = (raw[i]! >> shift) & mask;
    out[i] = signed && v & signBit ? v - 2 * signBit : v;
  }
  return out;
}

/** The first frame's words of uncompressed Pixel Data, in the file's byte order. */
function nativeWords(
  ds: DataSet,
  element: Element,
  count: number,
  bitsAllocated: 8 | 16,
  encoding: "little-endian" | "big-endian",
  file: string,
): Uint8Array | Uint16Array {
  const bytesPerPixel = bitsAllocated / 8;
  if (element.length < count * bytesPerPixel) {
    throw new Error(`${file}: Pixel Data holds ${element.length} bytes, ${count * bytesPerPixel} needed`);
  }
  const start = ds.byteArray.byteOffset + element.dataOffset;
  if (bytesPerPixel === 1) return new Uint8Array(ds.byteArray.buffer, start, count);
  const view = new DataView(ds.byteArray.buffer, start, count * 2);
  const words = new Uint16Array(count);
  const little = encoding === "little-endian";
  for (let i = 0; i < count; i++) words[i] = view.getUint16(i * 2, little);
  return words;
}

/**
 * The first frame of encapsulated Pixel Data: its fragments up to the second Basic Offset Table
 * entry; without a table, the first fragment when there is one per frame (as RLE requires), else all.
 */
function firstFrame(ds: DataSet, element: Element, file: string): Uint8Array {
  const all = element.fragments ?? [];
  const frames = ds.intString("x00280008") ?? 1;
  const table = element.basicOffsetTable ?? [];
  const fragments =
    frames < 2
      ? all
      : table.length > 1
        ? all.filter((f) => f.offset < table[1]!)
        : all.slice(0, all.length === frames ? 1 : all.length);
  const parts = fragments.map((f) => ds.byteArray.subarray(f.position, f.position + f.length));
  if (!parts.length) throw new Error(`${file}: encapsulated Pixel Data has no fragments`);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function voiOf(ds: DataSet, file: string): Voi {
  const center = ds.floatString("x00281050", 0);
  const width = ds.floatString("x00281051", 0);
  if (center !== undefined && width !== undefined && width > 0) {
    const fn = ds.string("x00281056")?.trim() || "LINEAR";
    if (fn !== "LINEAR" && fn !== "LINEAR_EXACT" && fn !== "SIGMOID") {
      throw new Error(`${file}: VOI LUT Function ${fn} is not one of LINEAR, LINEAR_EXACT, SIGMOID`);
    }
    return { kind: "window", center, width, fn };
  }
  const lut = ds.elements.x00283010?.items?.[0]?.dataSet;
  if (lut) return voiLut(lut, ds.uint16("x00280103") === 1, file);
  return { kind: "minmax" };
}

/** The first item of the VOI LUT Sequence: LUT Descriptor (entries, first mapped value, bits) and LUT Data. */
function voiLut(item: DataSet, signed: boolean, file: string): Voi {
  const entries = item.uint16("x00283002", 0) || 65536;
  const firstMapped = (signed ? item.int16("x00283002", 1) : item.uint16("x00283002", 1)) ?? 0;
  const bits = item.uint16("x00283002", 2) ?? 16;
  const element = item.elements.x00283006;
  if (!element) throw new Error(`${file}: VOI LUT Sequence item has no LUT Data (0028,3006)`);
  const data =
    element.length >= entries * 2
      ? Uint16Array.from({ length: entries }, (_, i) => item.uint16("x00283006", i) ?? 0)
      : item.byteArray.subarray(element.dataOffset, element.dataOffset + entries);
  if (data.length < entries) throw new Error(`${file}: VOI LUT Data holds fewer than its ${entries} entries`);
  return { kind: "lut", firstMapped, bits, data };
}

/** PNG of the rendered frame: the file the model and the dashboard read. */
export async function grayPng(image: DicomGrayImage): Promise<Buffer> {
  return sharp(image.gray, { raw: { width: image.width, height: image.height, channels: 1 } })
    .toColourspace("b-w")
    .png()
    .toBuffer();
}

/** DICOM DA (YYYYMMDD) as a UTC date; undefined when absent or not a real date. */
export function parseDicomDate(da: string | undefined): Date | undefined {
  const m = da ? /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim()) : null;
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCDate() === Number(m[3]) ? date : undefined;
}
