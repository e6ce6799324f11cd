// Colour frames become grey the way a viewer shows them in greyscale: the ITU-R BT.601 luma,
// Y = 0.299 R + 0.587 G + 0.114 B, which is also the Y of YBR_FULL; so YBR frames keep their Y.

export type ColourModel = "rgb" | "ybr" | "ybr-422";

/**
 * Luma of `count` pixels of 3-sample words. "rgb" and "ybr" words are interleaved per pixel
 * (PlanarConfiguration 0) or planar (1); "ybr-422" is YBR_FULL_422 uncompressed: Y1 Y2 Cb Cr per pair
 * of pixels in a row (PS3.3 C.7.6.3.1.2).
 */
export function luma(
  words: ArrayLike<number>,
  count: number,
  width: number,
  model: ColourModel,
  planar: boolean,
): Float64Array {
  const out = new Float64Array(count);
  if (model === "ybr-422") {
    // Each row holds width / 2 pairs of four words (the standard requires an even width).
    const rowWords = 2 * width;
    for (let i = 0; i < count; i++) {
      const x = i % width;
      const row = (i - x) / width;
      out[i] = words[row * rowWords + (x >> 1) * 4 + (x & 1)]!;
    }
    return out;
  }
  const at = planar
    ? (i: number, c: number) => words[c * count + i]!
    : (i: number, c: number) => words[3 * i + c]!;
  for (let i = 0; i < count; i++) {
    out[i] = model === "ybr" ? at(i, 0) : 0.299 * at(i, 0) + 0.587 * at(i, 1) + 0.114 * at(i, 2);
  }
  return out;
}
