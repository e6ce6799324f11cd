import { niceTicks } from "./axes.ts";
import { BLUES, colormap } from "./colormap.ts";
import { AXIS_COLOR, el, num, svgDocument, text, textWidth, title } from "./svg.ts";

export interface ConfusionMatrixOptions {
  title?: string;
}

const LABEL_FONT = 14;

/**
 * Heatmap of a confusion matrix (rows true, columns predicted): each cell shows its count and, below
 * it, the share of its row (the recall on the diagonal). Darker cells hold more examples.
 */
export function confusionMatrixSvg(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
  options: ConfusionMatrixOptions = {},
): string {
  const k = classNames.length;
  if (k === 0) throw new Error("plots: confusionMatrixSvg needs at least one class name");
  if (matrix.length !== k || matrix.some((row) => row.length !== k)) {
    throw new Error(`plots: confusion matrix must be ${k} x ${k} to match the ${k} class names`);
  }
  const bad = matrix.flat().find((v) => !(Number.isFinite(v) && v >= 0));
  if (bad !== undefined) throw new Error(`plots: confusion matrix holds ${bad}, expected counts >= 0`);

  const cell = Math.max(56, Math.min(140, 440 / k));
  const longest = Math.max(...classNames.map((n) => textWidth(n, LABEL_FONT)));
  const rotate = longest > cell - 10;
  const left = longest + 70;
  const top = 70;
  const grid = k * cell;
  const bottom = top + grid;
  const xLabelsHeight = rotate ? longest * 0.6 + 20 : 26;
  const width = left + grid + 110;
  const height = bottom + xLabelsHeight + 50;
  const max = Math.max(1, ...matrix.flat());
  const countFont = Math.max(12, Math.min(26, cell / 4.5));

  const body = [title(width, options.title ?? "Confusion matrix")];
  matrix.forEach((row, i) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const x = left + j * cell;
      const y = top + i * cell;
      const t = count / max;
      const ink = t > 0.5 ? "#ffffff" : "#1a1a1a";
      const share = rowTotal === 0 ? "" : `${((100 * count) / rowTotal).toFixed(1)}%`;
      body.push(
        el("rect", {
          x,
          y,
          width: cell,
          height: cell,
          fill: colormap(t),
          stroke: "#ffffff",
          "stroke-width": 1.5,
        }),
        text(x + cell / 2, y + cell / 2 + (share && cell >= 70 ? 0 : countFont * 0.35), String(count), {
          "text-anchor": "middle",
          "font-size": countFont,
          "font-weight": "bold",
          fill: ink,
        }),
      );
      if (share && cell >= 70) {
        body.push(
          text(x + cell / 2, y + cell / 2 + countFont * 0.95, share, {
            "text-anchor": "middle",
            "font-size": 12,
            fill: ink,
          }),
        );
      }
    });
  });
  body.push(el("rect", { x: left, y: top, width: grid, height: grid, fill: "none", stroke: AXIS_COLOR }));
  classNames.forEach((name, i) => {
    const center = left + i * cell + cell / 2;
    body.push(
      text(left - 10, top + i * cell + cell / 2 + 5, name, { "text-anchor": "end", "font-size": LABEL_FONT }),
      rotate
        ? text(center, bottom + 16, name, {
            "text-anchor": "end",
            "font-size": LABEL_FONT,
            transform: `rotate(-35 ${num(center)} ${num(bottom + 16)})`,
          })
        : text(center, bottom + 22, name, { "text-anchor": "middle", "font-size": LABEL_FONT }),
    );
  });
  const axisFont = { "font-size": 15, "font-weight": "bold" };
  body.push(
    text(left + grid / 2, bottom + xLabelsHeight + 26, "Predicted", { "text-anchor": "middle", ...axisFont }),
    text(22, top + grid / 2, "True", {
      "text-anchor": "middle",
      transform: `rotate(-90 22 ${num(top + grid / 2)})`,
      ...axisFont,
    }),
  );
  body.push(...colorbar(left + grid + 24, top, grid, max));
  return svgDocument(width, height, body);
}

/** A vertical colour scale from 0 (bottom) to `max` (top) with count ticks. */
function colorbar(x: number, y: number, height: number, max: number): string[] {
  const stops = BLUES.map((c, i) => el("stop", { offset: i / (BLUES.length - 1), "stop-color": c }));
  const ticks = niceTicks(0, max, 6).filter((t) => t <= max && Number.isInteger(t));
  return [
    el("defs", {}, el("linearGradient", { id: "cm-scale", x1: 0, y1: 1, x2: 0, y2: 0 }, stops)),
    el("rect", { x, y, width: 18, height, fill: "url(#cm-scale)", stroke: AXIS_COLOR, "stroke-width": 0.8 }),
    ...ticks.flatMap((t) => {
      const ty = y + height - (t / max) * height;
      return [
        el("line", { x1: x + 18, x2: x + 23, y1: ty, y2: ty, stroke: AXIS_COLOR }),
        text(x + 27, ty + 4.5, String(t), { "font-size": 12 }),
      ];
    }),
  ];
}
