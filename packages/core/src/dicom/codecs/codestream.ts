// The frame size a codestream declares in its own header (JPEG SOF, JPEG-LS SOF55, JPEG 2000 SIZ),
// read before decoding so that a codestream claiming more pixels than the file's Rows × Columns
// never reaches a decoder: the decoders allocate what the codestream says.

/** Width, height, components and bits per sample, as the codestream's header says. */
export interface DeclaredFrame {
  width: number;
  height: number;
  components: number;
  bits: number;
}

/** JPEG start-of-frame markers (PS3.5 A.4 processes; ITU-T T.81 B.1.1.3) and JPEG-LS SOF55 (T.87). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7]);
/** Markers without a length field: TEM, RSTn, SOI. */
const STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);

/** The first SOF of a JPEG or JPEG-LS stream; a reason when there is none before the data. */
export function jpegFrameHeader(bytes: Uint8Array): DeclaredFrame | string {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return "the codestream does not start with a JPEG SOI marker";
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return `no JPEG marker at byte ${i} of the codestream`;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (STANDALONE.has(marker)) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (SOF.has(marker)) {
      if (i + 10 > bytes.length) break;
      return {
        bits: bytes[i + 4]!,
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    if (marker === 0xda) return "the codestream's scan starts before any frame header (SOF)";
    i += 2 + length;
  }
  return "the codestream ends before its frame header (SOF)";
}

/** The SIZ segment of a JPEG 2000 codestream (T.800 A.5.1), also inside a JP2 wrapper. */
export function j2kFrameHeader(bytes: Uint8Array): DeclaredFrame | string {
  const limit = Math.min(bytes.length - 4, 1 << 16);
  let start = -1;
  for (let i = 0; i < limit && start < 0; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0x4f && bytes[i + 2] === 0xff && bytes[i + 3] === 0x51)
      start = i + 4;
  }
  if (start < 0) return "no JPEG 2000 SOC and SIZ markers at the start of the codestream";
  if (start + 38 > bytes.length) return "the codestream ends inside its SIZ header";
  const view = new DataView(bytes.buffer, bytes.byteOffset + start);
  const components = view.getUint16(36);
  if (start + 38 + components * 3 > bytes.length) return "the codestream ends inside its SIZ header";
  const bits = Math.max(
    ...Array.from({ length: components }, (_, c) => (view.getUint8(38 + 3 * c) & 0x7f) + 1),
  );
  return {
    width: view.getUint32(4) - view.getUint32(12),
    height: view.getUint32(8) - view.getUint32(16),
    components,
    bits,
  };
}

/**
 * Whether the codestream ends with its end marker (JPEG EOI, JPEG-LS EOI and JPEG 2000 EOC are all
 * FFD9), allowing the one byte of padding that makes a fragment's length even. The decoders here
 * render a truncated codestream's missing part as blank instead of failing; this refuses it.
 */
export function endsWithEndMarker(bytes: Uint8Array): boolean {
  const end = bytes.length > 2 && bytes[bytes.length - 1] === 0 ? bytes.length - 1 : bytes.length;
  return end >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}
