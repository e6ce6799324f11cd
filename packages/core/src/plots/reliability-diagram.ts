import { calibrationError, type ReliabilityBin } from "../metrics/calibration.ts";
import { type Axis, identityLine, niceTicks, panel } from "./axes.ts";
import { legend } from "./legend.ts";
import { el, MUTED_TEXT_COLOR, seriesColor, svgDocument, title } from "./svg.ts";

export interface ReliabilityDiagramOptions {
  title?: string;
}

const WIDTH = 640;
const HEIGHT = 720;
const UNIT_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const ACCURACY = seriesColor(0);
const GAP = "#d62728";

/**
 * Reliability diagram: per confidence bin, the accuracy as a bar and its gap to the mean confidence
 * hatched, against the diagonal of perfect calibration; below, how many examples each bin holds.
 * The title gives the expected calibration error of the bins.
 */
export function reliabilityDiagramSvg(
  bins: readonly ReliabilityBin[],
  options: ReliabilityDiagramOptions = {},
): string {
  if (bins.length === 0) throw new Error("plots: reliabilityDiagramSvg needs at least one bin");
  const main = { x: 100, y: 60, width: 500, height: 420 };
  const counts = { x: 100, y: 530, width: 500, height: 110 };
  const confidence: Axis = { label: "", domain: [0, 1], ticks: UNIT_TICKS };
  const accuracyPanel = panel(main, confidence, { label: "Accuracy", domain: [0, 1], ticks: UNIT_TICKS });
  const countTicks = niceTicks(0, Math.max(1, ...bins.map((b) => b.count)), 3);
  const countPanel = panel(
    counts,
    { ...confidence, label: "Top-label confidence" },
    { label: "Count", domain: [0, countTicks.at(-1)!], ticks: countTicks, format: String },
  );
  const heading = options.title ?? `Reliability diagram (ECE ${calibrationError(bins).toFixed(4)})`;
  const hatch = el(
    "pattern",
    { id: "gap-hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    [
      el("rect", { width: 6, height: 6, fill: GAP, "fill-opacity": 0.25 }),
      el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: GAP, "stroke-width": 2.5 }),
    ],
  );
  const body = [
    title(WIDTH, heading),
    el("defs", {}, hatch),
    ...accuracyPanel.elements,
    ...countPanel.elements,
  ];
  const { x, y } = accuracyPanel;
  for (const bin of bins) {
    if (bin.count === 0 || bin.accuracy === null || bin.meanConfidence === null) continue;
    const left = x(bin.lower);
    const barWidth = x(bin.upper) - left;
    const low = Math.min(bin.accuracy, bin.meanConfidence);
    const high = Math.max(bin.accuracy, bin.meanConfidence);
    body.push(
      el("rect", {
        x: left,
        y: y(bin.accuracy),
        width: barWidth,
        height: y(0) - y(bin.accuracy),
        fill: ACCURACY,
        "fill-opacity": 0.85,
        stroke: "#ffffff",
      }),
      el("rect", {
        x: left,
        y: y(high),
        width: barWidth,
        height: y(low) - y(high),
        fill: "url(#gap-hatch)",
        stroke: GAP,
        "stroke-width": 1.5,
      }),
      el("rect", {
        x: left,
        y: countPanel.y(bin.count),
        width: barWidth,
        height: countPanel.y(0) - countPanel.y(bin.count),
        fill: MUTED_TEXT_COLOR,
        stroke: "#ffffff",
      }),
    );
  }
  body.push(identityLine(x, y));
  const entries = [
    { label: "Accuracy", color: ACCURACY, swatch: "square" as const },
    { label: "Gap to mean confidence", color: GAP, swatch: "square" as const, fill: "url(#gap-hatch)" },
    { label: "Perfect calibration", color: MUTED_TEXT_COLOR, dash: "6 5" },
  ];
  body.push(legend(entries, main.x + 12, main.y + 12));
  return svgDocument(WIDTH, HEIGHT, body);
}
