import { bestEpochIndex } from "../train/history.ts";
import { type Box, panel, panelTitle } from "./axes.ts";
import { type LegendEntry, legend, legendSize } from "./legend.ts";
import { el, polyline, seriesColor, svgDocument, title } from "./svg.ts";
import { type CurvePoint, epochAxis, valueAxis } from "./training-curves.ts";

/** One run's history in a comparison; `bestEpoch` defaults to the lowest validation loss. */
export interface ComparedRun {
  label: string;
  history: readonly CurvePoint[];
  bestEpoch?: number | null;
}

export interface ComparisonCurvesOptions {
  title?: string;
}

const WIDTH = 1100;
const PANEL_HEIGHT = 280;
const TRAINING_DASH = "5 4";

/**
 * Accuracy and loss per epoch of several runs overlaid, one colour per run: validation solid,
 * training dashed, each run's best epoch ringed on its validation curve. Runs may differ in length.
 */
export function comparisonCurvesSvg(
  runs: readonly ComparedRun[],
  options: ComparisonCurvesOptions = {},
): string {
  const withHistory = runs.filter((r) => r.history.length > 0);
  if (withHistory.length === 0)
    throw new Error("plots: comparisonCurvesSvg needs a run with at least one epoch");
  const all = withHistory.flatMap((r) => r.history);
  const xAxis = epochAxis(all.map((h) => h.epoch));
  const entries: LegendEntry[] = [
    ...runs.map((r, i) => ({ label: r.label, color: seriesColor(i), marker: true })),
    { label: "Validation (solid, best epoch ringed)", color: "#444444" },
    { label: "Training (dashed)", color: "#444444", dash: TRAINING_DASH },
  ];
  const legendBox = legendSize(entries, "column");
  const top = 60 + legendBox.height + 40;
  const boxes: Box[] = [
    { x: 90, y: top, width: 430, height: PANEL_HEIGHT },
    { x: 640, y: top, width: 430, height: PANEL_HEIGHT },
  ];
  const panels = [
    {
      heading: "Accuracy",
      box: boxes[0]!,
      y: valueAxis(
        "Accuracy",
        all.flatMap((h) => [h.accuracy, h.valAccuracy]),
        false,
      ),
      train: (h: CurvePoint) => h.accuracy,
      val: (h: CurvePoint) => h.valAccuracy,
    },
    {
      heading: "Loss",
      box: boxes[1]!,
      y: valueAxis(
        "Loss (cross-entropy)",
        all.flatMap((h) => [h.loss, h.valLoss]),
        true,
      ),
      train: (h: CurvePoint) => h.loss,
      val: (h: CurvePoint) => h.valLoss,
    },
  ];
  const body = [title(WIDTH, options.title ?? "Training curves compared")];
  body.push(legend(entries, (WIDTH - legendBox.width) / 2, 50, "column"));
  for (const p of panels) {
    const { x, y, elements } = panel(p.box, xAxis, p.y);
    body.push(panelTitle(p.box, p.heading), ...elements);
    runs.forEach((run, i) => {
      if (run.history.length === 0) return;
      const color = seriesColor(i);
      const points = (value: (h: CurvePoint) => number) =>
        run.history.filter((h) => Number.isFinite(value(h))).map((h) => [x(h.epoch), y(value(h))] as const);
      const validation = points(p.val);
      body.push(
        polyline(points(p.train), {
          stroke: color,
          "stroke-width": 2,
          "stroke-dasharray": TRAINING_DASH,
          opacity: 0.8,
        }),
        polyline(validation, { stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round" }),
        ...validation.map(([cx, cy]) => el("circle", { cx, cy, r: 3, fill: color })),
      );
      const best =
        run.history.find((h) => h.epoch === run.bestEpoch) ??
        run.history[bestEpochIndex(run.history, "val_loss")];
      if (best && Number.isFinite(p.val(best))) {
        body.push(
          el("circle", {
            cx: x(best.epoch),
            cy: y(p.val(best)),
            r: 7,
            fill: "none",
            stroke: color,
            "stroke-width": 2.5,
          }),
        );
      }
    });
  }
  return svgDocument(WIDTH, top + PANEL_HEIGHT + 70, body);
}
