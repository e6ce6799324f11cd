import sharp from "sharp";
import { type PixelEncoding, UndecodablePixelDataError } from "../transfer-syntax.ts";
import { type DeclaredFrame, endsWithEndMarker, j2kFrameHeader, jpegFrameHeader } from "./codestream.ts";
import { type CodecFrame, DEFAULT_WORKER_LIMITS, decodeInWorker, type WorkerLimits } from "./worker.ts";

export { DEFAULT_WORKER_LIMITS, type WorkerLimits } from "./worker.ts";

/** What the file's header says one frame holds. */
export interface FrameInfo {
  width: number;
  height: number;
  /** SamplesPerPixel: 1 (grey) or 3 (colour). */
  samples: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
}

/** A decoded frame: one word per sample, interleaved per pixel unless `planar`. */
export interface DecodedFrame {
  words: Uint8Array | Uint16Array;
  planar: boolean;
  /** The colour model of 3-sample words: JPEG decodes YCbCr to RGB, the others keep the file's. */
  rgb: boolean;
}

export type CompressedEncoding = Exclude<PixelEncoding, "little-endian" | "big-endian" | "rle">;

/**
 * Decodes one compressed frame with its family's codec (8-bit JPEG Baseline/Extended by sharp, the
 * rest, 12-bit JPEG Extended included, in the decode worker), after checking that the codestream's
 * own header matches the file's: the codecs allocate what the codestream declares, so a codestream
 * claiming more pixels than Rows × Columns is refused before it is decoded. Throws UndecodablePixelDataError naming the file,
 * the syntax and the reason.
 */
export async function decodeFrame(
  encoding: CompressedEncoding,
  codestream: Uint8Array,
  info: FrameInfo,
  where: { file: string; uid: string },
  limits: WorkerLimits = DEFAULT_WORKER_LIMITS,
): Promise<DecodedFrame> {
  const refuse = (reason: string) => new UndecodablePixelDataError(where.file, where.uid, reason);
  const declared =
    encoding === "jpeg2000" || encoding === "htj2k"
      ? j2kFrameHeader(codestream)
      : jpegFrameHeader(codestream);
  if (typeof declared === "string") throw refuse(declared);
  const mismatch = headerMismatch(declared, info);
  if (mismatch) throw refuse(mismatch);
  if (!endsWithEndMarker(codestream))
    throw refuse("the codestream is truncated: it does not end with its end marker (FFD9)");
  if (encoding === "jpeg" && declared.bits === 8) return jpegFrame(codestream, info, refuse);
  if (encoding === "jpeg" && declared.bits !== 12) {
    throw refuse(`the codestream has ${declared.bits}-bit samples; JPEG Baseline and Extended have 8 or 12`);
  }
  const family = encoding === "jpeg" ? "jpeg-12bit" : encoding;
  const bytesPerSample = info.bitsAllocated === 8 ? 1 : 2;
  let frame: CodecFrame;
  try {
    frame = await decodeInWorker({ family, bytes: codestream, bytesPerSample, declared }, limits);
  } catch (error) {
    throw refuse((error as Error).message);
  }
  const decodedMismatch = headerMismatch(
    { width: frame.width, height: frame.height, components: frame.components, bits: frame.bits },
    info,
  );
  if (decodedMismatch) throw refuse(`the decoded frame disagrees with the header: ${decodedMismatch}`);
  const count = info.width * info.height * info.samples;
  const words =
    frame.bits <= 8
      ? frame.data.subarray(0, count)
      : new Uint16Array(frame.data.buffer, frame.data.byteOffset, count);
  const expected = count * (frame.bits <= 8 ? 1 : 2);
  if (frame.data.byteLength < expected) {
    throw refuse(`the codec returned ${frame.data.byteLength} bytes, ${expected} expected`);
  }
  // 8-bit samples of a 16-bit frame (BitsStored ≤ 8) widen to the words the header describes.
  return {
    words: info.bitsAllocated === 16 && words instanceof Uint8Array ? Uint16Array.from(words) : words,
    planar: frame.planar,
    // libjpeg converts YCbCr to RGB, as sharp does for 8 bits.
    rgb: encoding === "jpeg" && info.samples === 3,
  };
}

function headerMismatch(declared: DeclaredFrame, info: FrameInfo): string | undefined {
  if (declared.width !== info.width || declared.height !== info.height) {
    return `the codestream is ${declared.width}×${declared.height}, the header says ${info.width}×${info.height} (Columns × Rows)`;
  }
  if (declared.components !== info.samples) {
    return `the codestream has ${declared.components} components, the header ${info.samples} samples per pixel`;
  }
  if (declared.bits > info.bitsAllocated) {
    return `the codestream has ${declared.bits}-bit samples, more than BitsAllocated ${info.bitsAllocated}`;
  }
  return undefined;
}

/** JPEG Baseline and 8-bit JPEG Extended, by sharp (libjpeg-turbo), which converts YCbCr to RGB. */
async function jpegFrame(
  jpeg: Uint8Array,
  info: FrameInfo,
  refuse: (reason: string) => Error,
): Promise<DecodedFrame> {
  try {
    const { data, info: out } = await sharp(jpeg, {
      failOn: "error",
      limitInputPixels: info.width * info.height,
    })
      .toColourspace(info.samples === 1 ? "b-w" : "srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== info.samples) throw new Error(`sharp gave ${out.channels} channels`);
    const words = new Uint8Array(data.buffer, data.byteOffset, info.width * info.height * info.samples);
    return {
      words: info.bitsAllocated === 16 ? Uint16Array.from(words) : words,
      planar: false,
      rgb: info.samples === 3,
    };
  } catch (error) {
    throw refuse((error as Error).message);
  }
}
