import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { confusionMatrixSvg } from "./confusion-matrix.ts";
import { rasterise } from "./raster.ts";

const NAMES = [...CXR_CLASS_NAMES];
// The reference notebook's variant 2 test-set matrix.
const REFERENCE = [
  [104, 0, 0],
  [0, 104, 0],
  [0, 1, 103],
];

/** x, y, width and height of every rect filled with `fill`. */
function rectsFilled(svg: string, fill: string): number[][] {
  return [
    ...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="([^"]+)"/g),
  ]
    .filter((m) => m[5] === fill)
    .map((m) => m.slice(1, 5).map(Number));
}

describe("confusionMatrixSvg", () => {
  it("labels the axes and shows every class name, count and row share", () => {
    const svg = confusionMatrixSvg(REFERENCE, NAMES);
    for (const name of NAMES) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain(">Predicted</text>");
    expect(svg).toContain(">True</text>");
    expect(svg.match(/>104<\/text>/g)).toHaveLength(2);
    expect(svg).toContain(">103</text>");
    expect(svg.match(/>0<\/text>/g)!.length).toBeGreaterThanOrEqual(5);
    // 103 of the 104 Viral Pneumonia images: 99.0%; the one called Normal: 1.0%.
    expect(svg).toContain(">99.0%</text>");
    expect(svg).toContain(">1.0%</text>");
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it("renders a heatmap whose fullest cells are darkest", async () => {
    const svg = confusionMatrixSvg(REFERENCE, NAMES);
    const image = await rasterise(svg);
    expect(image.distinctColors()).toBeGreaterThan(50);
    const darkest = rectsFilled(svg, "#08306b");
    expect(darkest).toHaveLength(2);
    const [x, y] = darkest[0]!;
    const [r, g, b] = image.pixel(x! + 4, y! + 4);
    expect(b).toBeGreaterThan(r + 40);
    expect(r + g + b).toBeLessThan(250);
    const lightest = rectsFilled(svg, "#f7fbff");
    // The five empty cells; the cell holding 1 is already tinted.
    expect(lightest).toHaveLength(5);
    const [lx, ly] = lightest[0]!;
    expect(image.pixel(lx! + 4, ly! + 4).every((c) => c > 240)).toBe(true);
  });

  it("escapes class names and tilts long labels", async () => {
    const names = Array.from({ length: 6 }, (_, i) => `Class <${i}> & co`);
    const matrix = names.map((_, i) => names.map((_, j) => (i === j ? 10 : 1)));
    const svg = confusionMatrixSvg(matrix, names);
    expect(svg).toContain("Class &lt;5&gt; &amp; co");
    expect(svg).toContain("rotate(-35");
    await rasterise(svg);
  });

  it("rejects a matrix that does not fit the class names", () => {
    expect(() => confusionMatrixSvg([[1, 2]], NAMES)).toThrow("must be 3 x 3");
    expect(() =>
      confusionMatrixSvg(
        [
          [1, -1],
          [0, 1],
        ],
        ["a", "b"],
      ),
    ).toThrow("holds -1");
  });
});
