import sharp from "sharp";
import { renderPng } from "./write.ts";

export interface Raster {
  png: Buffer;
  width: number;
  height: number;
  /** RGB of the pixel at (x, y). */
  pixel(x: number, y: number): [number, number, number];
  /** How many different RGB colours the image holds. */
  distinctColors(): number;
}

/**
 * Renders `svg` through sharp (librsvg parses it with libxml2, so malformed XML throws) and decodes
 * the PNG again for pixel checks.
 */
export async function rasterise(svg: string, scale = 1): Promise<Raster> {
  const png = await renderPng(svg, scale);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => (Math.round(y) * info.width + Math.round(x)) * info.channels;
  return {
    png,
    width: info.width,
    height: info.height,
    pixel: (x, y) => [data[at(x, y)]!, data[at(x, y) + 1]!, data[at(x, y) + 2]!],
    distinctColors: () => {
      const colors = new Set<number>();
      for (let i = 0; i < data.length; i += info.channels)
        colors.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colors.size;
    },
  };
}
