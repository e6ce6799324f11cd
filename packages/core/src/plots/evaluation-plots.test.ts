import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CXR_CLASS_NAMES } from "../labels.ts";
import { evaluatePredictions } from "../metrics/index.ts";
import { createRng } from "../random.ts";
import { confusionMatrixSvg, reliabilityDiagramSvg, rocCurvesSvg, writePlot } from "./index.ts";
import { rasterise } from "./raster.ts";

const dir = await mkdtemp(join(tmpdir(), "cxrlab-eval-plots-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** 312 test images, 104 per class, scored by a noisy softmax that is right most of the time. */
function simulatedEvaluation() {
  const rng = createRng(11);
  const labels = Array.from({ length: 312 }, (_, i) => i % 3);
  const probabilities = labels.map((label) => {
    const logits = [0, 1, 2].map((c) => (c === label ? 4 : 0) + rng.uniform(-2.5, 2.5));
    const exp = logits.map(Math.exp);
    const sum = exp.reduce((a, b) => a + b);
    return exp.map((e) => e / sum);
  });
  return evaluatePredictions({ probabilities, labels, classNames: CXR_CLASS_NAMES });
}

describe("plots of a realistic evaluation", () => {
  const m = simulatedEvaluation();

  it("writes the confusion matrix, ROC and reliability figures as SVG and PNG", async () => {
    const figures = {
      confusion: confusionMatrixSvg(m.confusionMatrix, m.classNames),
      roc: rocCurvesSvg(m.roc, m.classNames),
      reliability: reliabilityDiagramSvg(m.reliability),
    };
    for (const [name, svg] of Object.entries(figures)) {
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
      const { png } = await writePlot(svg, join(dir, name));
      const image = await rasterise(svg);
      expect((await readFile(png)).equals(image.png)).toBe(true);
      expect(image.distinctColors()).toBeGreaterThan(100);
    }
    for (const row of m.confusionMatrix)
      for (const count of row) expect(figures.confusion).toContain(`>${count}</text>`);
    for (const [c, curve] of m.roc.entries()) {
      expect(figures.roc).toContain(`>${m.classNames[c]} (AUC ${curve.auc!.toFixed(4)})</text>`);
    }
    expect(figures.reliability).toContain(`(ECE ${m.ece.toFixed(4)})`);
  });
});
