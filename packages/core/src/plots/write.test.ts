import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { rasterise } from "./raster.ts";
import { svgDocument, text } from "./svg.ts";
import { renderPng, writePlot } from "./write.ts";

const dir = await mkdtemp(join(tmpdir(), "cxrlab-plots-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const SVG = svgDocument(200, 80, [text(10, 50, "Predicted 0.99", { "font-size": 20 })]);

/** Horizontal extent of the dark pixels of `content` drawn alone. */
async function inkWidth(content: string): Promise<number> {
  const image = await rasterise(svgDocument(400, 60, [text(10, 40, content, { "font-size": 24 })]));
  let left = image.width;
  let right = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.pixel(x, y)[0] < 128) {
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return right - left;
}

describe("writePlot", () => {
  it("writes the SVG and a PNG of its size, creating the folder", async () => {
    const paths = await writePlot(SVG, join(dir, "nested", "plot"));
    expect(paths).toEqual({ svg: join(dir, "nested", "plot.svg"), png: join(dir, "nested", "plot.png") });
    expect(await readFile(paths.svg, "utf8")).toBe(SVG);
    const meta = await sharp(await readFile(paths.png)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 200, 80]);
  });

  it("scales the PNG", async () => {
    const meta = await sharp(await renderPng(SVG, 2)).metadata();
    expect([meta.width, meta.height]).toEqual([400, 160]);
  });

  it("refuses malformed SVG, naming the file", async () => {
    await expect(writePlot(SVG.replace("</text>", ""), join(dir, "broken"))).rejects.toThrow(
      `cannot render ${join(dir, "broken.svg")}`,
    );
  });

  it("draws text with real glyphs (a font is installed)", async () => {
    // Without fonts librsvg draws same-size boxes for every character, so the two widths would match.
    const narrow = await inkWidth("iiiiiiii");
    const wide = await inkWidth("WWWWWWWW");
    expect(narrow).toBeGreaterThan(10);
    expect(wide, "text renders as boxes: install a font (Debian: fonts-dejavu-core)").toBeGreaterThan(
      narrow * 2.5,
    );
  });
});
