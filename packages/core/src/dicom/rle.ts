// RLE Lossless (PS3.5 Annex G): a frame is a 64-byte header (the segment count, then up to 15
// segment offsets, little-endian uint32) followed by one PackBits segment per byte plane, the most
// significant plane first, sample after sample for colour.

const HEADER_BYTES = 64;

/**
 * One frame as its raw 8- or 16-bit words, planar (all of the first sample's, then the next's).
 * Throws naming the file when the header or a segment does not describe exactly `count` pixels of
 * `samples` samples: never a partly decoded image.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  count: number,
  bytesPerPixel: 1 | 2,
  samples: number,
  file: string,
): Uint8Array | Uint16Array {
  if (frame.length < HEADER_BYTES) {
    throw new Error(
      `${file}: RLE frame of ${frame.length} bytes is shorter than its ${HEADER_BYTES}-byte header`,
    );
  }
  const header = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
  const segments = header.getUint32(0, true);
  if (segments !== bytesPerPixel * samples) {
    const image = samples === 1 ? "a grey image" : `an image of ${samples} samples`;
    throw new Error(
      `${file}: RLE header lists ${segments} segments; ${image} of ${8 * bytesPerPixel}-bit pixels has ${bytesPerPixel * samples}`,
    );
  }
  const offsets = Array.from({ length: segments }, (_, i) => header.getUint32(4 + 4 * i, true));
  const planes = offsets.map((start, i) => {
    const end = offsets[i + 1] ?? frame.length;
    if (start < HEADER_BYTES || end > frame.length || start >= end) {
      throw new Error(
        `${file}: RLE segment ${i + 1} of ${segments} would span bytes ${start}..${end} of a ${frame.length}-byte frame`,
      );
    }
    return unpackBits(frame.subarray(start, end), count, `${file}: RLE segment ${i + 1} of ${segments}`);
  });
  if (bytesPerPixel === 1) return planes.length === 1 ? planes[0]! : Buffer.concat(planes);
  const words = new Uint16Array(count * samples);
  for (let s = 0; s < samples; s++) {
    const [high, low] = [planes[2 * s]!, planes[2 * s + 1]!];
    for (let i = 0; i < count; i++) words[s * count + i] = (high[i]! << 8) | low[i]!;
  }
  return words;
}

/**
 * PackBits (G.3.1): header n in 0..127 copies the next n+1 bytes, 129..255 repeats the next byte
 * 257-n times, 128 does nothing. Segments are padded to an even length, so one trailing byte after
 * the last full run is accepted.
 */
function unpackBits(segment: Uint8Array, expected: number, what: string): Uint8Array {
  const out = new Uint8Array(expected);
  let o = 0;
  let i = 0;
  const tooLong = () => new Error(`${what} decodes to more than the ${expected} bytes of a frame plane`);
  while (i < segment.length) {
    const n = segment[i++]!;
    if (n < 128) {
      if (i === segment.length && o === expected) break;
      const end = i + n + 1;
      if (end > segment.length) throw new Error(`${what} ends inside a literal run`);
      if (o + n + 1 > expected) throw tooLong();
      out.set(segment.subarray(i, end), o);
      o += n + 1;
      i = end;
    } else if (n > 128) {
      if (i === segment.length) throw new Error(`${what} ends inside a repeat run`);
      if (o + 257 - n > expected) throw tooLong();
      out.fill(segment[i++]!, o, o + 257 - n);
      o += 257 - n;
    }
  }
  if (o !== expected) throw new Error(`${what} decodes to ${o} bytes; a frame plane has ${expected}`);
  return out;
}
