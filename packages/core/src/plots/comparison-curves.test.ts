import { describe, expect, it } from "vitest";
import { comparisonCurvesSvg } from "./comparison-curves.ts";
import { rasterise } from "./raster.ts";
import type { CurvePoint } from "./training-curves.ts";

function history(valLoss: number[]): CurvePoint[] {
  return valLoss.map((v, i) => ({
    epoch: i + 1,
    loss: 0.8 / (i + 1),
    accuracy: 1 - 0.4 / (i + 1),
    valLoss: v,
    valAccuracy: 1 - v / 2,
  }));
}

describe("comparisonCurvesSvg", () => {
  it("overlays every run, training dashed and validation solid, in both panels", () => {
    const svg = comparisonCurvesSvg([
      { label: "run 1 reference", history: history([0.5, 0.3, 0.4]) },
      { label: "run 2 recommended", history: history([0.6, 0.2, 0.25, 0.1, 0.3]) },
    ]);
    for (const label of ["Accuracy", "Loss", "Epoch", "run 1 reference", "run 2 recommended"]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    // 2 runs x 2 panels x (training + validation).
    expect(svg.match(/<polyline /g)).toHaveLength(8);
    expect(svg.match(/<polyline [^>]*stroke-dasharray/g)).toHaveLength(4);
    // The longer run sets the epoch axis.
    expect(svg).toContain(">5</text>");
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it("rings each run's best epoch: the given one, else the lowest validation loss", () => {
    const svg = comparisonCurvesSvg([
      { label: "a", history: history([0.5, 0.3, 0.4]) },
      { label: "b", history: history([0.6, 0.2, 0.25, 0.1]), bestEpoch: 2 },
    ]);
    const rings = [...svg.matchAll(/<circle cx="([\d.]+)" cy="[\d.]+" r="7"/g)].map((m) => Number(m[1]));
    expect(rings).toHaveLength(4);
    // Both runs' best is epoch 2 (a: lowest loss; b: given), so every ring sits at one x per panel.
    expect(new Set(rings).size).toBe(2);
  });

  it("renders through librsvg", async () => {
    const image = await rasterise(
      comparisonCurvesSvg([
        { label: "a", history: history([0.5, 0.3]) },
        { label: "b", history: history([0.4, 0.35]) },
      ]),
    );
    expect(image.width).toBe(1100);
    expect(image.distinctColors()).toBeGreaterThan(50);
  });

  it("needs a run with history", () => {
    expect(() => comparisonCurvesSvg([{ label: "empty", history: [] }])).toThrow(/at least one epoch/);
  });
});
