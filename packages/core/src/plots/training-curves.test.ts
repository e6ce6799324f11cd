import { describe, expect, it } from "vitest";
import { rasterise } from "./raster.ts";
import { type CurvePoint, trainingCurvesSvg } from "./training-curves.ts";

// Shaped like the reference notebook's 15-epoch run: best validation loss 0.05990 at epoch 3.
const VAL_LOSS = [0.4, 0.12, 0.0599, 0.09, 0.15, 0.07, 0.11, 0.08, 0.3, 0.1, 0.09, 0.2, 0.07, 0.08, 0.0599];
const HISTORY: CurvePoint[] = VAL_LOSS.map((valLoss, i) => ({
  epoch: i + 1,
  loss: 0.6 / (i + 1),
  accuracy: 1 - 0.3 / (i + 1),
  valLoss,
  valAccuracy: 1 - valLoss / 2,
}));

describe("trainingCurvesSvg", () => {
  it("draws accuracy and loss panels with training and validation lines", () => {
    const svg = trainingCurvesSvg(HISTORY);
    for (const label of ["Accuracy", "Loss", "Epoch", "Training", "Validation", "Training curves"]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    // One dot per epoch per line.
    expect(svg.match(/<circle [^>]*r="3.5"/g)!.length).toBeGreaterThanOrEqual(4 * 15);
    // Every epoch is a tick while there are at most 16.
    for (const epoch of [1, 8, 15]) expect(svg).toContain(`>${epoch}</text>`);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it("marks the first epoch with the lowest validation loss", () => {
    const svg = trainingCurvesSvg(HISTORY);
    expect(svg).toContain("Best epoch 3 (lowest validation loss)");
    expect(svg).toContain("Best epoch 3: validation loss 0.05990");
    expect(svg.match(/<circle [^>]*r="7"/g)).toHaveLength(2);
  });

  it("skips a missing validation loss when choosing the best epoch", () => {
    const history = HISTORY.slice(0, 4).map((h, i) => (i === 0 ? { ...h, valLoss: Number.NaN } : h));
    expect(trainingCurvesSvg(history)).toContain("Best epoch 3 (");
  });

  it("uses round epoch ticks for long runs and renders", async () => {
    const long = Array.from({ length: 60 }, (_, i) => ({ ...HISTORY[i % 15]!, epoch: i + 1 }));
    const svg = trainingCurvesSvg(long, { title: "Sixty epochs" });
    expect(svg).toContain(">Sixty epochs</text>");
    expect(svg).toContain(">60</text>");
    expect(svg).not.toContain(">59</text>");
    const image = await rasterise(svg);
    expect([image.width, image.height]).toEqual([1100, 480]);
  });

  it("renders a legible PNG with both line colours", async () => {
    const image = await rasterise(trainingCurvesSvg(HISTORY));
    expect(image.distinctColors()).toBeGreaterThan(100);
    const colors = new Set<string>();
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) colors.add(image.pixel(x, y).join(","));
    }
    // tab10 blue and orange, drawn solid.
    expect(colors.has("31,119,180")).toBe(true);
    expect(colors.has("255,127,14")).toBe(true);
  });

  it("needs at least one epoch", () => {
    expect(() => trainingCurvesSvg([])).toThrow("at least one epoch");
  });
});
