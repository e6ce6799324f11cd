import type { AugmentationConfig } from "../config.ts";
import type { Rng } from "../random.ts";

function assertSquare(pixels: Float32Array, size: number): void {
  if (pixels.length !== size * size * 3) {
    throw new RangeError(`Expected ${size}x${size}x3 = ${size * size * 3} values, got ${pixels.length}`);
  }
}

/**
 * Where each output index samples the input along one axis, for scipy `affine_transform`
 * with `order=1, mode="nearest"`: coordinate `zoom * i + offset`, clamped to the edge pixels,
 * then linear interpolation between its two neighbours.
 */
function axisSamples(size: number, zoom: number) {
  // Keras `transform_matrix_offset_center`: zoom about the centre (size / 2 - 0.5).
  const centre = size / 2 - 0.5;
  const offset = zoom * -centre + centre;
  const lo = new Int32Array(size);
  const hi = new Int32Array(size);
  const t = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const coord = Math.min(Math.max(zoom * i + offset, 0), size - 1);
    const floor = Math.floor(coord);
    lo[i] = floor;
    hi[i] = Math.min(floor + 1, size - 1);
    t[i] = coord - floor;
  }
  return { lo, hi, t };
}

/**
 * Keras `apply_affine_transform(x, zx, zy)` on a size x size x 3 image (fill_mode "nearest",
 * interpolation order 1): output pixel (row, col) reads the input at
 * (zy * (row - c) + c, zx * (col - c) + c) with c = size / 2 - 0.5, so a zoom above 1 shows more
 * of the image (zooms out). As in Keras 2.9+, zx acts on columns and zy on rows; releases before
 * that centred at size / 2 + 0.5 and swapped the two.
 */
export function zoomImage(pixels: Float32Array, size: number, zx: number, zy: number): Float32Array {
  assertSquare(pixels, size);
  if (zx === 1 && zy === 1) return pixels;
  const rows = axisSamples(size, zy);
  const cols = axisSamples(size, zx);
  const out = new Float32Array(pixels.length);
  let o = 0;
  for (let r = 0; r < size; r++) {
    const top = (rows.lo[r] as number) * size;
    const bottom = (rows.hi[r] as number) * size;
    const ty = rows.t[r] as number;
    for (let c = 0; c < size; c++) {
      const left = cols.lo[c] as number;
      const right = cols.hi[c] as number;
      const tx = cols.t[c] as number;
      const a = (top + left) * 3;
      const b = (top + right) * 3;
      const d = (bottom + left) * 3;
      const e = (bottom + right) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const upper = (pixels[a + ch] as number) * (1 - tx) + (pixels[b + ch] as number) * tx;
        const lower = (pixels[d + ch] as number) * (1 - tx) + (pixels[e + ch] as number) * tx;
        out[o++] = upper * (1 - ty) + lower * ty;
      }
    }
  }
  return out;
}

/**
 * Keras `ImageDataGenerator(zoom_range=z)`: zx then zy drawn independently from
 * uniform [1 - z, 1 + z]. With z = 0 nothing is drawn and the input comes back unchanged.
 */
export function randomZoom(pixels: Float32Array, size: number, zoomRange: number, rng: Rng): Float32Array {
  if (zoomRange === 0) {
    assertSquare(pixels, size);
    return pixels;
  }
  const zx = rng.uniform(1 - zoomRange, 1 + zoomRange);
  const zy = rng.uniform(1 - zoomRange, 1 + zoomRange);
  return zoomImage(pixels, size, zx, zy);
}

/** Mirror a size x size x 3 image left to right (new array). */
export function flipHorizontal(pixels: Float32Array, size: number): Float32Array {
  assertSquare(pixels, size);
  const out = new Float32Array(pixels.length);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const from = (r * size + c) * 3;
      const to = (r * size + size - 1 - c) * 3;
      out[to] = pixels[from] as number;
      out[to + 1] = pixels[from + 1] as number;
      out[to + 2] = pixels[from + 2] as number;
    }
  }
  return out;
}

/** Whether `augmentImage` changes anything with this configuration. */
export function augmentsImages(config: Pick<AugmentationConfig, "zoomRange" | "horizontalFlip">): boolean {
  return config.zoomRange > 0 || config.horizontalFlip;
}

/**
 * Keras' order: the affine part (zoom), then a horizontal flip with probability 1/2 when
 * enabled. Returns the input itself when nothing applies.
 */
export function augmentImage(
  pixels: Float32Array,
  size: number,
  config: Pick<AugmentationConfig, "zoomRange" | "horizontalFlip">,
  rng: Rng,
): Float32Array {
  const zoomed = randomZoom(pixels, size, config.zoomRange, rng);
  return config.horizontalFlip && rng.next() < 0.5 ? flipHorizontal(zoomed, size) : zoomed;
}
