import { describe, expect, it } from "vitest";
import { expectedCalibration } from "../metrics/calibration.ts";
import { rasterise } from "./raster.ts";
import { reliabilityDiagramSvg } from "./reliability-diagram.ts";

describe("reliabilityDiagramSvg", () => {
  // Top-label confidences 0.7, 0.4, 0.6, 0.5, 0.6, 0.5 fill 4 of the 15 bins (see metrics/calibration.test.ts).
  const { ece, bins } = expectedCalibration(
    [
      [0.7, 0.2, 0.1],
      [0.4, 0.4, 0.2],
      [0.3, 0.6, 0.1],
      [0.5, 0.3, 0.2],
      [0.1, 0.3, 0.6],
      [0.2, 0.5, 0.3],
    ],
    [0, 0, 1, 1, 2, 2],
  );

  it("draws an accuracy bar, a gap and a count bar per non-empty bin", async () => {
    const svg = reliabilityDiagramSvg(bins);
    expect(ece).toBeCloseTo(0.45, 12);
    expect(svg).toContain(">Reliability diagram (ECE 0.4500)</text>");
    expect(svg.match(/fill="url\(#gap-hatch\)" stroke/g)).toHaveLength(4 + 1);
    expect(svg.match(/fill="#555555" stroke="#ffffff"/g)).toHaveLength(4);
    expect(svg).toContain(">Top-label confidence</text>");
    expect(svg).not.toMatch(/NaN|undefined/);
    const image = await rasterise(svg);
    expect([image.width, image.height]).toEqual([640, 720]);
    expect(image.distinctColors()).toBeGreaterThan(50);
  });

  it("takes a custom title and needs bins", () => {
    expect(reliabilityDiagramSvg(bins, { title: "Test set" })).toContain(">Test set</text>");
    expect(() => reliabilityDiagramSvg([])).toThrow("at least one bin");
  });
});
