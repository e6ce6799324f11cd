import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { probabilityTrendSvg, type TrendPoint } from "./probability-trend.ts";
import { rasterise } from "./raster.ts";

const CLASSES = [...CXR_CLASS_NAMES];

function point(day: string, covid: number, normal: number, label?: string): TrendPoint {
  return {
    date: new Date(`${day}T00:00:00Z`),
    probabilities: { COVID: covid, Normal: normal, "Viral Pneumonia": 1 - covid - normal },
    ...(label ? { label } : {}),
  };
}

// Given out of order: the chart sorts by date.
const POINTS = [
  point("2024-03-20", 0.7, 0.2, "ACC-2"),
  point("2024-01-05", 0.1, 0.8, "ACC-1"),
  point("2024-06-01", 0.9, 0.05),
];

/** The x coordinates of one class's line, in drawing order. */
function lineXs(svg: string, name: string): number[] {
  const line = svg.match(new RegExp(`<polyline points="([^"]+)"[^>]*data-class="${name}"`));
  return line![1]!.split(" ").map((pair) => Number(pair.split(",")[0]));
}

describe("probabilityTrendSvg", () => {
  it("draws one line per class with one dot per study, in date order", () => {
    const svg = probabilityTrendSvg(POINTS);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    for (const name of CLASSES) {
      expect(svg).toContain(`>${name}</text>`);
      const dots = [
        ...svg.matchAll(new RegExp(`<circle [^>]*data-class="${name}" data-date="([\\d-]+)"`, "g")),
      ];
      expect(dots.map((d) => d[1])).toEqual(["2024-01-05", "2024-03-20", "2024-06-01"]);
      const xs = lineXs(svg, name);
      expect(xs).toHaveLength(3);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    // Every study date is a tick while they fit; the y axis is in percent.
    for (const day of ["2024-01-05", "2024-03-20", "2024-06-01", "0%", "100%", "Study date"]) {
      expect(svg).toContain(`>${day}</text>`);
    }
    expect(svg).toContain("<title>2024-03-20 ACC-2: COVID 70.0%</title>");
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it("places a probability at its height: higher probability, smaller y", () => {
    const svg = probabilityTrendSvg(POINTS, { classNames: ["COVID"] });
    const cys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"[^>]*data-class="COVID"/g)].map((m) =>
      Number(m[1]),
    );
    expect(cys).toHaveLength(3);
    expect(cys[0]!).toBeGreaterThan(cys[1]!);
    expect(cys[1]!).toBeGreaterThan(cys[2]!);
    expect(svg.match(/<polyline /g)).toHaveLength(1);
  });

  it("thins the date ticks of a long history so labels do not overlap", () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      point(new Date(Date.UTC(2020, 0, 1) + i * 30 * 86_400_000).toISOString().slice(0, 10), 0.3, 0.3),
    );
    const svg = probabilityTrendSvg(many);
    const ticks = [...svg.matchAll(/>(\d{4}-\d{2}-\d{2})<\/text>/g)];
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThan(10);
    expect(svg.match(/<circle [^>]*data-class="COVID"/g)).toHaveLength(40);
  });

  it("draws a single study and renders to a PNG with the class colours", async () => {
    const image = await rasterise(probabilityTrendSvg([POINTS[0]!], { title: "Run 3" }));
    expect([image.width, image.height]).toEqual([720, 400]);
    const colors = new Set<string>();
    for (let y = 0; y < image.height; y += 1) {
      for (let x = 0; x < image.width; x += 1) colors.add(image.pixel(x, y).join(","));
    }
    // tab10 blue, orange and green dots.
    for (const rgb of ["31,119,180", "255,127,14", "44,160,44"]) expect(colors.has(rgb)).toBe(true);
  });

  it("rejects no points and undated points", () => {
    expect(() => probabilityTrendSvg([])).toThrow("at least one dated point");
    expect(() => probabilityTrendSvg([{ date: new Date("nope"), probabilities: { COVID: 1 } }])).toThrow(
      "point 1 has no valid date",
    );
  });
});
