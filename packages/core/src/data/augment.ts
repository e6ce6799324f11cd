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

/**
 * Samples `pixels` through an affine map (bilinear, edge pixels repeated outside, like
 * zoomImage): output pixel (row, col) reads the input at
 * A · (row - c, col - c) + c + (dy, dx), with c = size / 2 - 0.5 and A the 2x2 `matrix` given
 * row-major as [a, b, d, e] (row' = a·dr + b·dc, col' = d·dr + e·dc).
 */
export function affineImage(
  pixels: Float32Array,
  size: number,
  matrix: readonly [number, number, number, number],
  dy: number,
  dx: number,
): Float32Array {
  assertSquare(pixels, size);
  const [a, b, d, e] = matrix;
  const centre = size / 2 - 0.5;
  const last = size - 1;
  const out = new Float32Array(pixels.length);
  let o = 0;
  for (let r = 0; r < size; r++) {
    const dr = r - centre;
    for (let c = 0; c < size; c++) {
      const dc = c - centre;
      const y = Math.min(Math.max(a * dr + b * dc + centre + dy, 0), last);
      const x = Math.min(Math.max(d * dr + e * dc + centre + dx, 0), last);
      const y0 = Math.floor(y);
      const x0 = Math.floor(x);
      const y1 = Math.min(y0 + 1, last);
      const x1 = Math.min(x0 + 1, last);
      const ty = y - y0;
      const tx = x - x0;
      const p00 = (y0 * size + x0) * 3;
      const p01 = (y0 * size + x1) * 3;
      const p10 = (y1 * size + x0) * 3;
      const p11 = (y1 * size + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const upper = (pixels[p00 + ch] as number) * (1 - tx) + (pixels[p01 + ch] as number) * tx;
        const lower = (pixels[p10 + ch] as number) * (1 - tx) + (pixels[p11 + ch] as number) * tx;
        out[o++] = upper * (1 - ty) + lower * ty;
      }
    }
  }
  return out;
}

/**
 * Brightness, contrast and gamma on 0..255 values, in that order: v · brightness; then
 * (v - mean) · contrast + mean around the image's mean; then 255 · (v / 255)^gamma. Results are
 * clamped to 0..255, as a viewer's window would.
 */
export function adjustIntensity(
  pixels: Float32Array,
  adjust: { brightness: number; contrast: number; gamma: number },
): Float32Array {
  const { brightness, contrast, gamma } = adjust;
  let mean = 0;
  for (let i = 0; i < pixels.length; i++) mean += pixels[i] as number;
  mean = (mean / pixels.length) * brightness;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const v = ((pixels[i] as number) * brightness - mean) * contrast + mean;
    const clamped = Math.min(Math.max(v, 0), 255);
    out[i] = gamma === 1 ? clamped : 255 * (clamped / 255) ** gamma;
  }
  return out;
}

type AugmentOptions = Omit<AugmentationConfig, "augmentValidation" | "cachedViews">;

/** Whether `augmentImage` changes anything with this configuration. */
export function augmentsImages(config: AugmentOptions): boolean {
  return (
    config.zoomRange > 0 ||
    config.horizontalFlip ||
    config.rotationRange > 0 ||
    config.shiftRange > 0 ||
    config.brightnessRange > 0 ||
    config.contrastRange > 0 ||
    config.gammaRange > 0
  );
}

/**
 * Keras' order: the affine part (zoom, then rotation and shift when enabled), then a horizontal
 * flip with probability 1/2 when enabled, then the intensity changes when enabled. Each range
 * draws only when it is above 0, so a zoom-only config draws exactly what Keras' zoom_range does.
 * Returns the input itself when nothing applies.
 */
export function augmentImage(
  pixels: Float32Array,
  size: number,
  config: AugmentOptions,
  rng: Rng,
): Float32Array {
  let out: Float32Array;
  if (config.rotationRange > 0 || config.shiftRange > 0) {
    const z = config.zoomRange;
    const zx = z > 0 ? rng.uniform(1 - z, 1 + z) : 1;
    const zy = z > 0 ? rng.uniform(1 - z, 1 + z) : 1;
    const theta = config.rotationRange > 0 ? (rng.uniform(-1, 1) * config.rotationRange * Math.PI) / 180 : 0;
    const shift = config.shiftRange * size;
    const dy = shift > 0 ? rng.uniform(-shift, shift) : 0;
    const dx = shift > 0 ? rng.uniform(-shift, shift) : 0;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    // Rotation after zoom, as Keras composes them: [cos -sin; sin cos] · diag(zy, zx).
    out = affineImage(pixels, size, [cos * zy, -sin * zx, sin * zy, cos * zx], dy, dx);
  } else {
    out = randomZoom(pixels, size, config.zoomRange, rng);
  }
  if (config.horizontalFlip && rng.next() < 0.5) out = flipHorizontal(out, size);
  const { brightnessRange: b, contrastRange: c, gammaRange: g } = config;
  if (b > 0 || c > 0 || g > 0) {
    out = adjustIntensity(out, {
      brightness: b > 0 ? rng.uniform(1 - b, 1 + b) : 1,
      contrast: c > 0 ? rng.uniform(1 - c, 1 + c) : 1,
      gamma: g > 0 ? rng.uniform(1 - g, 1 + g) : 1,
    });
  }
  return out;
}
