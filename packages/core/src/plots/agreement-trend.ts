import { niceTicks, panel } from "./axes.ts";
import { type LegendEntry, legend, legendSize } from "./legend.ts";
import { el, escapeXml, polyline, seriesColor, svgDocument, title } from "./svg.ts";

/** One time window of a model's monitoring. */
export interface AgreementTrendPoint {
  /** The window's first day, e.g. 2026-03-02. */
  label: string;
  /** Accuracy against the readers with its interval; null: no reviewed image in the window. */
  accuracy: number | null;
  lower: number | null;
  upper: number | null;
  /** Images the accuracy counts. */
  cases: number;
  /** The window's inputs drifted from the training images. */
  drift: boolean;
}

const WIDTH = 720;
const HEIGHT = 380;
const DRIFT_COLOR = "#d62728";

/**
 * Agreement with the readers window by window: accuracy as a line with a dot per window and its
 * bootstrap interval as a whisker; windows whose inputs drifted get a red band. Windows are evenly
 * spaced in order. Dots carry data-window / data-accuracy, bands data-drift.
 */
export function agreementTrendSvg(
  points: readonly AgreementTrendPoint[],
  options: { title?: string } = {},
): string {
  if (points.length === 0) throw new Error("plots: agreementTrendSvg needs at least one window");
  const entries: LegendEntry[] = [
    { label: "accuracy vs readers (95% CI)", color: seriesColor(0), marker: true },
    { label: "inputs drifted", color: DRIFT_COLOR, swatch: "square", opacity: 0.15 },
  ];
  const legendBox = legendSize(entries, "row");
  const top = 46 + legendBox.height + 24;
  const box = { x: 80, y: top, width: WIDTH - 110, height: HEIGHT - top - 70 };
  const ticks = points.map((_, i) => i);
  const every = Math.max(1, Math.ceil(points.length / 8));
  const { x, y, elements } = panel(
    box,
    {
      label: "Window",
      domain: [-0.5, points.length - 0.5],
      ticks: ticks.filter((i) => i % every === 0),
      format: (i) => points[i]?.label ?? "",
    },
    {
      label: "Accuracy",
      domain: [0, 1],
      ticks: niceTicks(0, 1, 6),
      format: (v) => `${Math.round(v * 100)}%`,
    },
  );
  const body = [title(WIDTH, options.title ?? "Agreement with readers over time")];
  const band = (x(1) - x(0)) * 0.9;
  for (const [i, p] of points.entries()) {
    if (p.drift)
      body.push(
        el("rect", {
          x: x(i) - band / 2,
          y: box.y,
          width: band,
          height: box.height,
          fill: DRIFT_COLOR,
          "fill-opacity": 0.15,
          "data-drift": p.label,
        }),
      );
  }
  body.push(legend(entries, (WIDTH - legendBox.width) / 2, 46, "row"), ...elements);
  const color = seriesColor(0);
  const defined = points.flatMap((p, i) => (p.accuracy === null ? [] : [{ p, i, accuracy: p.accuracy }]));
  body.push(
    polyline(
      defined.map(({ i, accuracy }) => [x(i), y(accuracy)] as const),
      { stroke: color, "stroke-width": 2 },
    ),
  );
  for (const { p, i, accuracy } of defined) {
    if (p.lower !== null && p.upper !== null)
      body.push(
        el("line", {
          x1: x(i),
          x2: x(i),
          y1: y(p.lower),
          y2: y(p.upper),
          stroke: color,
          "stroke-width": 1.5,
        }),
      );
    const tip = `${p.label}: ${(accuracy * 100).toFixed(1)}% of ${p.cases}${
      p.lower !== null && p.upper !== null
        ? ` (95% CI ${(p.lower * 100).toFixed(1)}–${(p.upper * 100).toFixed(1)}%)`
        : ""
    }${p.drift ? ", inputs drifted" : ""}`;
    body.push(
      el(
        "circle",
        { cx: x(i), cy: y(accuracy), r: 4.5, fill: color, "data-window": p.label, "data-accuracy": accuracy },
        el("title", {}, escapeXml(tip)),
      ),
    );
  }
  return svgDocument(WIDTH, HEIGHT, body);
}
