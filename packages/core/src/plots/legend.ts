import { AXIS_COLOR, el, text, textWidth } from "./svg.ts";

export interface LegendEntry {
  label: string;
  color: string;
  /** A line sample (default), or a filled square for bars and cells. */
  swatch?: "line" | "square";
  /** Fill of a square swatch when not plain `color` (a pattern, say). */
  fill?: string;
  dash?: string;
  opacity?: number;
  marker?: boolean;
}

export type LegendLayout = "column" | "row";

const FONT_SIZE = 13;
const ROW = 21;
const SAMPLE = 28;
const PAD = 10;
const GAP = 24;

function entryWidth(entry: LegendEntry): number {
  return SAMPLE + 6 + textWidth(entry.label, FONT_SIZE);
}

/** Size of the box `legend` draws for `entries`. */
export function legendSize(entries: readonly LegendEntry[], layout: LegendLayout = "column") {
  const widths = entries.map(entryWidth);
  return layout === "column"
    ? { width: Math.max(...widths) + 2 * PAD, height: entries.length * ROW + PAD }
    : { width: widths.reduce((a, b) => a + b, 0) + GAP * (entries.length - 1) + 2 * PAD, height: ROW + PAD };
}

function sample(e: LegendEntry, x: number, cy: number): string {
  if (e.swatch === "square") {
    return el("rect", {
      x: x + SAMPLE / 2 - 7,
      y: cy - 7,
      width: 14,
      height: 14,
      fill: e.fill ?? e.color,
      stroke: e.fill ? e.color : undefined,
      opacity: e.opacity,
    });
  }
  const line = el("line", {
    x1: x,
    x2: x + SAMPLE,
    y1: cy,
    y2: cy,
    stroke: e.color,
    "stroke-width": 2.5,
    "stroke-dasharray": e.dash,
    opacity: e.opacity,
  });
  return e.marker ? line + el("circle", { cx: x + SAMPLE / 2, cy, r: 3.5, fill: e.color }) : line;
}

/** A framed legend whose top-left corner is at (x, y), entries stacked or side by side. */
export function legend(
  entries: readonly LegendEntry[],
  x: number,
  y: number,
  layout: LegendLayout = "column",
): string {
  const { width, height } = legendSize(entries, layout);
  let left = x + PAD;
  const items = entries.map((e, i) => {
    const cy = y + PAD / 2 + ROW / 2 + (layout === "column" ? ROW * i : 0);
    const ex = layout === "column" ? x + PAD : left;
    left += entryWidth(e) + GAP;
    return sample(e, ex, cy) + text(ex + SAMPLE + 6, cy + 4.5, e.label, { "font-size": FONT_SIZE });
  });
  return el("g", {}, [
    el("rect", {
      x,
      y,
      width,
      height,
      rx: 4,
      fill: "#ffffff",
      "fill-opacity": 0.9,
      stroke: AXIS_COLOR,
      "stroke-opacity": 0.4,
    }),
    ...items,
  ]);
}
