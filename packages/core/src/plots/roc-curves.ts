import { type ClassRoc, macroAuc } from "../metrics/roc.ts";
import { type Axis, identityLine, panel } from "./axes.ts";
import { legend, legendSize } from "./legend.ts";
import { MUTED_TEXT_COLOR, polyline, seriesColor, svgDocument, title } from "./svg.ts";

export interface RocCurvesOptions {
  title?: string;
}

const WIDTH = 640;
const HEIGHT = 620;
const UNIT_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** One-vs-rest ROC curve of every class on one square plot, AUC in the legend, chance as the diagonal. */
export function rocCurvesSvg(
  roc: readonly ClassRoc[],
  classNames: readonly string[],
  options: RocCurvesOptions = {},
): string {
  if (roc.length !== classNames.length) {
    throw new Error(`plots: rocCurvesSvg got ${roc.length} curves for ${classNames.length} class names`);
  }
  const box = { x: 100, y: 60, width: 500, height: 480 };
  const xAxis: Axis = { label: "False positive rate (1 - specificity)", domain: [0, 1], ticks: UNIT_TICKS };
  const yAxis: Axis = { label: "True positive rate (sensitivity)", domain: [0, 1], ticks: UNIT_TICKS };
  const { x, y, elements } = panel(box, xAxis, yAxis);
  const macro = macroAuc(roc);
  const heading =
    options.title ?? `ROC curves, one-vs-rest${macro === null ? "" : ` (macro AUC ${macro.toFixed(4)})`}`;
  const body = [title(WIDTH, heading), ...elements];
  body.push(identityLine(x, y));
  roc.forEach((curve, c) => {
    const points = curve.fpr.map((f, i) => [x(f), y(curve.tpr[i]!)] as const);
    body.push(
      polyline(points, {
        stroke: seriesColor(c),
        "stroke-width": 2.5,
        "stroke-linejoin": "round",
        opacity: 0.9,
      }),
    );
  });
  const entries = [
    ...roc.map((curve, c) => ({
      label: `${classNames[c]} (AUC ${curve.auc === null ? "undefined" : curve.auc.toFixed(4)})`,
      color: seriesColor(c),
    })),
    { label: "Chance", color: MUTED_TEXT_COLOR, dash: "6 5" },
  ];
  const size = legendSize(entries);
  body.push(legend(entries, box.x + box.width - size.width - 12, box.y + box.height - size.height - 12));
  return svgDocument(WIDTH, HEIGHT, body);
}
