import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import sharp from "sharp";

/** Paths of the two files `writePlot` wrote. */
export interface WrittenPlot {
  svg: string;
  png: string;
}

/** The SVG rasterised by sharp (librsvg); `scale` 2 gives twice the SVG's pixel size. */
export async function renderPng(svg: string, scale = 1): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .png()
    .toBuffer();
}

/** Writes `<path>.svg` and `<path>.png` (creating the folder) and returns both paths. */
export async function writePlot(
  svg: string,
  pathWithoutExtension: string,
  options: { scale?: number } = {},
): Promise<WrittenPlot> {
  const svgPath = `${pathWithoutExtension}.svg`;
  const pngPath = `${pathWithoutExtension}.png`;
  let png: Buffer;
  try {
    png = await renderPng(svg, options.scale);
  } catch (error) {
    throw new Error(`plots: cannot render ${svgPath}: ${(error as Error).message}`);
  }
  await mkdir(dirname(pathWithoutExtension), { recursive: true });
  await Promise.all([writeFile(svgPath, svg), writeFile(pngPath, png)]);
  return { svg: svgPath, png: pngPath };
}
