import { describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { oneVsRestRoc } from "../metrics/roc.ts";
import { rasterise } from "./raster.ts";
import { rocCurvesSvg } from "./roc-curves.ts";

const NAMES = [...CXR_CLASS_NAMES];
// AUCs worked out in metrics/roc.test.ts: 7/8, 5.5/8 and 1.
const ROC = oneVsRestRoc(
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

describe("rocCurvesSvg", () => {
  it("draws one curve per class with its AUC in the legend", async () => {
    const svg = rocCurvesSvg(ROC, NAMES);
    expect(svg).toContain(">COVID (AUC 0.8750)</text>");
    expect(svg).toContain(">Normal (AUC 0.6875)</text>");
    expect(svg).toContain(">Viral Pneumonia (AUC 1.0000)</text>");
    expect(svg).toContain("macro AUC 0.8542");
    expect(svg).toContain(">False positive rate (1 - specificity)</text>");
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    const image = await rasterise(svg);
    expect([image.width, image.height]).toEqual([640, 620]);
    expect(image.distinctColors()).toBeGreaterThan(50);
  });

  it("lists a class without an AUC as undefined", () => {
    const svg = rocCurvesSvg([...ROC.slice(0, 2), { fpr: [], tpr: [], thresholds: [], auc: null }], NAMES);
    expect(svg).toContain(">Viral Pneumonia (AUC undefined)</text>");
    expect(svg).toContain("macro AUC 0.7813");
  });

  it("rejects curves that do not match the class names", () => {
    expect(() => rocCurvesSvg(ROC, ["a", "b"])).toThrow("3 curves for 2 class names");
  });
});
