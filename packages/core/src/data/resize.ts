/**
 * Source index that Pillow's `Image.resize(size, NEAREST)` reads for each output index along one
 * axis. Pillow (`_imaging.c` `_resize` -> `Geometry.c` `ImagingScaleAffine`) starts at
 * `scale / 2` with `scale = src / dst`, adds `scale` per output pixel and truncates: the source
 * pixel under the output pixel's centre, `floor((i + 0.5) * scale)`. The running sum is kept, as
 * in Pillow, so that rounding agrees to the last bit.
 */
export function pilNearestIndices(srcSize: number, dstSize: number): Int32Array {
  const scale = srcSize / dstSize;
  const indices = new Int32Array(dstSize);
  let pos = scale * 0.5;
  for (let i = 0; i < dstSize; i++) {
    indices[i] = Math.trunc(pos);
    pos += scale;
  }
  return indices;
}

/** Nearest-neighbour resize of HxWx3 pixels, as Keras' default `interpolation="nearest"` (Pillow). */
export function resizeNearest(
  src: ArrayLike<number>,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const xs = pilNearestIndices(width, outWidth);
  const ys = pilNearestIndices(height, outHeight);
  const out = new Float32Array(outWidth * outHeight * 3);
  let o = 0;
  for (const y of ys) {
    const row = y * width;
    for (const x of xs) {
      const s = (row + x) * 3;
      out[o++] = src[s] as number;
      out[o++] = src[s + 1] as number;
      out[o++] = src[s + 2] as number;
    }
  }
  return out;
}

/** Pillow's `precompute_coeffs` for its BILINEAR (triangle) filter, widened when shrinking. */
function bilinearTaps(inSize: number, outSize: number): { first: Int32Array; weights: Float64Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ss = 1 / filterScale;
  const first = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const w = new Float64Array(hi - lo);
    let total = 0;
    for (let k = 0; k < w.length; k++) {
      const d = Math.abs((k + lo - centre + 0.5) * ss);
      w[k] = d < 1 ? 1 - d : 0;
      total += w[k] as number;
    }
    if (total !== 0) for (let k = 0; k < w.length; k++) w[k] = (w[k] as number) / total;
    first[i] = lo;
    weights.push(w);
  }
  return { first, weights };
}

const PRECISION_BITS = 22;

/**
 * One resampling pass along rows (`horizontal`) or columns of HxWx3 pixels. With `fixed`,
 * Pillow's 8-bit arithmetic: weights in 22-bit fixed point, the sum rounded down after adding a
 * half, and clipped to 0..255.
 */
function resamplePass(
  src: ArrayLike<number>,
  width: number,
  height: number,
  outSize: number,
  horizontal: boolean,
  fixed: boolean,
): Float32Array {
  const { first, weights } = bilinearTaps(horizontal ? width : height, outSize);
  const taps = fixed ? weights.map((w) => w.map((v) => Math.trunc(0.5 + v * 2 ** PRECISION_BITS))) : weights;
  const outWidth = horizontal ? outSize : width;
  const outHeight = horizontal ? height : outSize;
  // Step between neighbouring taps in `src`, in values.
  const step = horizontal ? 3 : width * 3;
  const out = new Float32Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const i = horizontal ? x : y;
      const k = taps[i] as Float64Array;
      const base = horizontal
        ? (y * width + (first[i] as number)) * 3
        : ((first[i] as number) * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        let sum = fixed ? 2 ** (PRECISION_BITS - 1) : 0;
        for (let t = 0; t < k.length; t++) sum += (src[base + t * step + c] as number) * (k[t] as number);
        out[(y * outWidth + x) * 3 + c] = fixed
          ? Math.min(Math.max(Math.floor(sum / 2 ** PRECISION_BITS), 0), 255)
          : sum;
      }
    }
  }
  return out;
}

/**
 * Keras `interpolation="bilinear"`: Pillow's `Image.resize(size, BILINEAR)` of HxWx3 pixels (a
 * triangle filter widened when shrinking; columns first, then rows). 8-bit input follows Pillow's
 * fixed-point arithmetic exactly; other input (16-bit samples) is resampled in floating point,
 * where Pillow would first have reduced it to 8 bits.
 */
export function resizeBilinear(
  src: Uint8Array | Uint16Array | Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const fixed = src instanceof Uint8Array;
  let pixels: ArrayLike<number> = src;
  if (outWidth !== width) pixels = resamplePass(pixels, width, height, outWidth, true, fixed);
  if (outHeight !== height) pixels = resamplePass(pixels, outWidth, height, outHeight, false, fixed);
  return pixels === src ? Float32Array.from(src) : (pixels as Float32Array);
}
