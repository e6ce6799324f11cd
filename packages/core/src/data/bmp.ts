/** sharp (libvips) cannot read BMP, which Keras accepts: this reads the uncompressed kinds. */

export interface RgbImage {
  /** HxWx3, row-major; 16-bit samples only from 16-bit sources. */
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;

export function isBmp(bytes: Uint8Array): boolean {
  return bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function maskChannel(mask: number): { shift: number; max: number } {
  let shift = 0;
  while (shift < 32 && ((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: shift < 32 ? mask >>> shift : 0 };
}

/**
 * Decodes an uncompressed BMP (1/4/8-bit palette, 16/24/32-bit, BI_RGB or BI_BITFIELDS) to RGB;
 * a fourth channel is dropped, bit-field channels narrower than 8 bits scale as Pillow's do
 * (`v * 255 / max`, truncated). Throws an Error with the reason otherwise.
 */
export function decodeBmp(bytes: Uint8Array): RgbImage {
  if (bytes.length < 54 || !isBmp(bytes)) throw new Error("not a BMP file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new Error(`unsupported BMP header (${headerSize} bytes)`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`bad BMP size ${width}x${rawHeight}`);

  let masks: number[] | undefined;
  let palette: Uint8Array | undefined;
  if (compression === BI_RGB && [1, 4, 8].includes(bpp)) {
    const colours = view.getUint32(46, true) || 1 << bpp;
    palette = bytes.subarray(14 + headerSize, 14 + headerSize + colours * 4);
  } else if (compression === BI_RGB && (bpp === 16 || bpp === 24 || bpp === 32)) {
    masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0xff00, 0xff];
  } else if (compression === BI_BITFIELDS && (bpp === 16 || bpp === 32) && bytes.length >= 66) {
    masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
  } else {
    throw new Error(`unsupported BMP kind (${bpp} bits per pixel, compression ${compression})`);
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new Error("BMP pixel data is truncated");
  const channels = masks?.map(maskChannel);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    // Rows are stored bottom-up unless the height is negative.
    const row = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const bit = x * bpp;
        const index = ((bytes[row + (bit >> 3)] as number) >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (index * 4 + 2 >= palette.length) throw new Error(`BMP palette index ${index} out of range`);
        out[o] = palette[index * 4 + 2] as number;
        out[o + 1] = palette[index * 4 + 1] as number;
        out[o + 2] = palette[index * 4] as number;
      } else if (bpp === 24) {
        out[o] = bytes[row + x * 3 + 2] as number;
        out[o + 1] = bytes[row + x * 3 + 1] as number;
        out[o + 2] = bytes[row + x * 3] as number;
      } else {
        const pixel = bpp === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
        for (const [c, { shift, max }] of (channels ?? []).entries()) {
          out[o + c] = max === 0 ? 0 : Math.floor((((pixel >>> shift) & max) * 255) / max);
        }
      }
    }
  }
  return { data: out, width, height };
}
