import { AXIS_COLOR, el, GRID_COLOR, MUTED_TEXT_COLOR, num, text } from "./svg.ts";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Axis {
  label: string;
  domain: readonly [number, number];
  ticks: readonly number[];
  format?: (value: number) => string;
}

export interface Panel {
  /** Data to pixel coordinates. */
  x: (value: number) => number;
  y: (value: number) => number;
  /** Grid, frame, ticks and labels; draw the data after them. */
  elements: string[];
}

/** Evenly spaced round tick values (steps of 1, 2, 2.5 or 5 x 10^k) covering [min, max]. */
export function niceTicks(min: number, max: number, maxTicks = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new Error(`plots: cannot place ticks on [${min}, ${max}]`);
  if (min === max) return niceTicks(min - (Math.abs(min) || 1) / 2, max + (Math.abs(max) || 1) / 2, maxTicks);
  const rough = (max - min) / Math.max(1, maxTicks - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + (step / magnitude === 2.5 ? 1 : 0));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(decimals)));
}

/** Tick labels with as many decimals as the tick step needs. */
export function tickFormat(ticks: readonly number[]): (value: number) => string {
  const decimals = Math.max(0, ...ticks.map((t) => (String(t).split(".")[1] ?? "").length));
  return (value) => value.toFixed(decimals);
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (value: number) => r0 + ((value - d0) / (d1 - d0 || 1)) * (r1 - r0);
}

/** A plotting area with light grid lines, a frame, ticks, tick labels and axis labels. */
export function panel(box: Box, xAxis: Axis, yAxis: Axis): Panel {
  const x = linearScale(xAxis.domain, [box.x, box.x + box.width]);
  const y = linearScale(yAxis.domain, [box.y + box.height, box.y]);
  const formatX = xAxis.format ?? tickFormat(xAxis.ticks);
  const formatY = yAxis.format ?? tickFormat(yAxis.ticks);
  const bottom = box.y + box.height;
  const elements: string[] = [];
  for (const t of xAxis.ticks) {
    const px = x(t);
    elements.push(
      el("line", { x1: px, x2: px, y1: box.y, y2: bottom, stroke: GRID_COLOR }),
      el("line", { x1: px, x2: px, y1: bottom, y2: bottom + 5, stroke: AXIS_COLOR }),
      text(px, bottom + 20, formatX(t), { "text-anchor": "middle", "font-size": 13 }),
    );
  }
  for (const t of yAxis.ticks) {
    const py = y(t);
    elements.push(
      el("line", { x1: box.x, x2: box.x + box.width, y1: py, y2: py, stroke: GRID_COLOR }),
      el("line", { x1: box.x - 5, x2: box.x, y1: py, y2: py, stroke: AXIS_COLOR }),
      text(box.x - 9, py + 4.5, formatY(t), { "text-anchor": "end", "font-size": 13 }),
    );
  }
  const yLabelWidth = Math.max(...yAxis.ticks.map((t) => formatY(t).length)) * 7.8;
  const yLabelX = box.x - yLabelWidth - 24;
  elements.push(el("rect", { ...box, fill: "none", stroke: AXIS_COLOR }));
  if (xAxis.label) {
    elements.push(
      text(box.x + box.width / 2, bottom + 44, xAxis.label, { "text-anchor": "middle", "font-size": 14 }),
    );
  }
  elements.push(
    text(yLabelX, box.y + box.height / 2, yAxis.label, {
      "text-anchor": "middle",
      "font-size": 14,
      transform: `rotate(-90 ${num(yLabelX)} ${num(box.y + box.height / 2)})`,
    }),
  );
  return { x, y, elements };
}

/** A panel heading, left-aligned above the frame. */
export function panelTitle(box: Box, content: string): string {
  return text(box.x, box.y - 10, content, { "font-size": 15, "font-weight": "bold", fill: MUTED_TEXT_COLOR });
}

/** The dashed y = x diagonal of a unit square panel (chance line, perfect calibration). */
export function identityLine(x: (v: number) => number, y: (v: number) => number): string {
  return el("line", {
    x1: x(0),
    y1: y(0),
    x2: x(1),
    y2: y(1),
    stroke: MUTED_TEXT_COLOR,
    "stroke-dasharray": "6 5",
  });
}
