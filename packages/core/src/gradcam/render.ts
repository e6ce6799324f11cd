import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import type { ResizeMethod } from "../config.ts";
import { decodeImage } from "../data/decode.ts";

/** A heatmap grid in [0, 1], row-major (a GradCam fits). */
export interface HeatmapGrid {
  heatmap: Float32Array;
  height: number;
  width: number;
}

/** An RGB image, HxWx3 values in 0..255. */
export interface RgbPixels {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/** matplotlib's "jet" (its segment data), the colormap of the Grad-CAM paper's figures. */
const JET: Record<"r" | "g" | "b", readonly (readonly [number, number])[]> = {
  r: [
    [0, 0],
    [0.35, 0],
    [0.66, 1],
    [0.89, 1],
    [1, 0.5],
  ],
  g: [
    [0, 0],
    [0.125, 0],
    [0.375, 1],
    [0.64, 1],
    [0.91, 0],
    [1, 0],
  ],
  b: [
    [0, 0.5],
    [0.11, 1],
    [0.34, 1],
    [0.65, 0],
    [1, 0],
  ],
};

function piecewise(points: readonly (readonly [number, number])[], t: number): number {
  const i = points.findIndex(([x]) => x >= t);
  if (i <= 0) return points[0]![1];
  const [x0, y0] = points[i - 1]!;
  const [x1, y1] = points[i]!;
  return y0 + ((y1 - y0) * (t - x0)) / (x1 - x0);
}

/** 256 RGB entries of jet, indexed by round(t * 255). */
const JET_LUT = Uint8Array.from({ length: 256 * 3 }, (_, i) => {
  const channel = JET[(["r", "g", "b"] as const)[i % 3]!];
  return Math.round(255 * piecewise(channel, Math.floor(i / 3) / 255));
});

/** The jet colour of t in [0, 1]. */
export function jet(t: number): [number, number, number] {
  const i = Math.round(255 * Math.min(1, Math.max(0, t))) * 3;
  return [JET_LUT[i]!, JET_LUT[i + 1]!, JET_LUT[i + 2]!];
}

/**
 * Bilinear upsampling to width x height with pixel centres aligned (as image resizing does), so
 * each heatmap cell covers the image region its activations saw.
 */
export function upsampleHeatmap(grid: HeatmapGrid, width: number, height: number): Float32Array {
  if (grid.heatmap.length !== grid.width * grid.height) {
    throw new Error(`heatmap holds ${grid.heatmap.length} values, not ${grid.height}x${grid.width}`);
  }
  const up = tf.tidy(() =>
    tf
      .clipByValue(
        tf.image.resizeBilinear(
          tf.tensor4d(grid.heatmap, [1, grid.height, grid.width, 1]),
          [height, width],
          false,
          true,
        ),
        0,
        1,
      )
      .reshape([height * width]),
  );
  const values = up.dataSync() as Float32Array;
  up.dispose();
  return values;
}

/**
 * The heatmap as an RGBA PNG of width x height: jet colour, alpha = heat, so cold regions are
 * transparent. Drawn over the X-ray at CSS opacity o it looks exactly like overlayPng at opacity o.
 */
export async function heatmapPng(grid: HeatmapGrid, width: number, height: number): Promise<Buffer> {
  const heat = upsampleHeatmap(grid, width, height);
  const rgba = Buffer.alloc(width * height * 4);
  heat.forEach((t, i) => {
    const [r, g, b] = jet(t);
    rgba.set([r, g, b, Math.round(255 * t)], i * 4);
  });
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** The X-ray with the heatmap composited over it (heatmapPng's colour and alpha, times `opacity`). */
export async function overlayPng(grid: HeatmapGrid, image: RgbPixels, opacity = 0.5): Promise<Buffer> {
  if (!(opacity >= 0 && opacity <= 1)) throw new RangeError(`opacity must be in [0, 1], got ${opacity}`);
  const { width, height, data } = image;
  if (data.length !== width * height * 3) {
    throw new Error(`image holds ${data.length} values, not ${width}x${height}x3`);
  }
  const heat = upsampleHeatmap(grid, width, height);
  const rgb = Buffer.alloc(width * height * 3);
  heat.forEach((t, i) => {
    const a = opacity * t;
    const colour = jet(t);
    for (let ch = 0; ch < 3; ch++) {
      rgb[i * 3 + ch] = Math.round((data[i * 3 + ch] as number) * (1 - a) + colour[ch]! * a);
    }
  });
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export interface OverlayFileOptions {
  /** Side of the square overlay; the model's input size shows the image as the network saw it. */
  size: number;
  resize?: ResizeMethod;
  opacity?: number;
}

/**
 * overlayPng over an image file, decoded and resized as the model's input is (a stretch to a
 * square, so the heatmap's cells land where the network looked).
 */
export async function overlayPngForFile(
  grid: HeatmapGrid,
  file: string,
  options: OverlayFileOptions,
): Promise<Buffer> {
  const data = await decodeImage(file, { imageSize: options.size, resize: options.resize ?? "bilinear" });
  return overlayPng(grid, { data, width: options.size, height: options.size }, options.opacity);
}
