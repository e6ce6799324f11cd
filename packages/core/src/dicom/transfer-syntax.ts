/** Names of the transfer syntaxes a reader is likely to meet (PS3.6 Table A-1). */
const NAMES: Record<string, string> = {
  "1.2.840.10008.1.2": "Implicit VR Little Endian",
  "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
  "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
  "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
  "1.2.840.10008.1.2.4.70":
    "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless Image Compression",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Lossy (Near-Lossless) Image Compression",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Image Compression (Lossless Only)",
  "1.2.840.10008.1.2.4.91": "JPEG 2000 Image Compression",
  "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
  "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
  "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000 Image Compression",
  "1.2.840.10008.1.2.4.110": "JPEG XL Lossless",
  "1.2.840.10008.1.2.4.111": "JPEG XL JPEG Recompression",
  "1.2.840.10008.1.2.4.112": "JPEG XL",
  "1.2.840.10008.1.2.5": "RLE Lossless",
};

export const EXPLICIT_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
/** Explicit VR Little Endian with everything after the File Meta group deflated (PS3.5 A.5). */
export const DEFLATED_EXPLICIT_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99";

/**
 * How the pixel data of a supported transfer syntax are stored (a deflated data set is read
 * inflated), one family per decoder: "jpeg" is JPEG Baseline and Extended (sharp for 8 bits, a
 * worker for 12), the last four are WebAssembly and JavaScript codecs that run in a worker (codecs/).
 */
export type PixelEncoding =
  | "little-endian"
  | "big-endian"
  | "rle"
  | "jpeg"
  | "jpeg-lossless"
  | "jpeg-ls"
  | "jpeg2000"
  | "htj2k";

const SUPPORTED: Record<string, PixelEncoding> = {
  "1.2.840.10008.1.2": "little-endian",
  [EXPLICIT_LITTLE_ENDIAN]: "little-endian",
  [DEFLATED_EXPLICIT_LITTLE_ENDIAN]: "little-endian",
  "1.2.840.10008.1.2.2": "big-endian",
  "1.2.840.10008.1.2.5": "rle",
  "1.2.840.10008.1.2.4.50": "jpeg",
  "1.2.840.10008.1.2.4.51": "jpeg",
  "1.2.840.10008.1.2.4.57": "jpeg-lossless",
  "1.2.840.10008.1.2.4.70": "jpeg-lossless",
  "1.2.840.10008.1.2.4.80": "jpeg-ls",
  "1.2.840.10008.1.2.4.81": "jpeg-ls",
  "1.2.840.10008.1.2.4.90": "jpeg2000",
  "1.2.840.10008.1.2.4.91": "jpeg2000",
  "1.2.840.10008.1.2.4.201": "htj2k",
  "1.2.840.10008.1.2.4.202": "htj2k",
  "1.2.840.10008.1.2.4.203": "htj2k",
};

export function transferSyntaxName(uid: string): string {
  return NAMES[uid] ?? "unknown transfer syntax";
}

/** A file whose pixel data are stored in a transfer syntax this reader does not decode. */
export class UnsupportedTransferSyntaxError extends Error {
  readonly uid: string;

  constructor(file: string, uid: string) {
    const supported = Object.keys(SUPPORTED)
      .map((u) => `${u} (${transferSyntaxName(u)})`)
      .join(", ");
    super(
      `${file}: transfer syntax ${uid} (${transferSyntaxName(uid)}) is not supported; supported: ${supported}. ` +
        "Decompress it first (e.g. `gdcmconv --raw` or `dcmdjpeg`).",
    );
    this.name = "UnsupportedTransferSyntaxError";
    this.uid = uid;
  }
}

/**
 * A file in a supported transfer syntax whose pixel data cannot be decoded: a corrupt or truncated
 * codestream, one that disagrees with the header, or a decoder that ran out of time or memory.
 */
export class UndecodablePixelDataError extends Error {
  readonly uid: string;

  constructor(file: string, uid: string, reason: string) {
    super(
      `${file}: cannot decode its pixel data in transfer syntax ${uid} (${transferSyntaxName(uid)}): ${reason}`,
    );
    this.name = "UndecodablePixelDataError";
    this.uid = uid;
  }
}

export function pixelEncoding(file: string, uid: string): PixelEncoding {
  const encoding = SUPPORTED[uid];
  if (!encoding) throw new UnsupportedTransferSyntaxError(file, uid);
  return encoding;
}
