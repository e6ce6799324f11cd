import { type Axis, niceTicks, panel } from "./axes.ts";
import { type LegendEntry, legend, legendSize } from "./legend.ts";
import { el, escapeXml, polyline, seriesColor, svgDocument, textWidth, title } from "./svg.ts";

/** One examination of a patient as one model saw it. */
export interface TrendPoint {
  /** When it was taken (the study date). */
  date: Date;
  /** Probability of each class, 0..1; a class left out is not drawn at this point. */
  probabilities: Readonly<Record<string, number>>;
  /** Named in the point's tooltip, e.g. the study's accession number. */
  label?: string;
}

export interface ProbabilityTrendOptions {
  title?: string;
  /** Classes in legend and colour order; by default as they first appear in the points. */
  classNames?: readonly string[];
}

const WIDTH = 720;
const HEIGHT = 400;
const DAY_MS = 86_400_000;
const TICK_FONT_SIZE = 13;
const TICK_GAP = 16;

/** A date as its UTC day, the way DICOM's StudyDate reads: 2024-03-05. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Time ticks: every date of the data while their labels fit side by side, otherwise evenly spaced
 * whole days, so that a long history does not print overlapping labels.
 */
function dateAxis(times: readonly number[], plotWidth: number): Axis {
  const first = Math.min(...times);
  const last = Math.max(...times);
  const pad = Math.max(DAY_MS, (last - first) * 0.05);
  const distinct = [...new Set(times)];
  const room = Math.floor(plotWidth / (textWidth("0000-00-00", TICK_FONT_SIZE) + TICK_GAP));
  const ticks =
    distinct.length <= room
      ? distinct
      : [
          ...new Set(
            niceTicks(first / DAY_MS, last / DAY_MS, room)
              .map((day) => Math.round(day) * DAY_MS)
              .filter((t) => t >= first - pad && t <= last + pad),
          ),
        ];
  return {
    label: "Study date",
    domain: [first - pad, last + pad],
    ticks,
    format: (t) => isoDay(new Date(t)),
  };
}

/**
 * Each class's probability over a patient's studies as one model predicted them: x is the study
 * date, one line per class with a dot per study, so a rising COVID probability across visits shows
 * at a glance. Dots carry data-class / data-date attributes and a tooltip.
 */
export function probabilityTrendSvg(
  points: readonly TrendPoint[],
  options: ProbabilityTrendOptions = {},
): string {
  if (points.length === 0) throw new Error("plots: probabilityTrendSvg needs at least one dated point");
  for (const [i, p] of points.entries()) {
    if (!(p.date instanceof Date) || Number.isNaN(p.date.getTime()))
      throw new Error(`plots: probabilityTrendSvg point ${i + 1} has no valid date`);
  }
  const sorted = [...points].sort((a, b) => a.date.getTime() - b.date.getTime());
  const classNames = options.classNames ?? [...new Set(sorted.flatMap((p) => Object.keys(p.probabilities)))];
  if (classNames.length === 0) throw new Error("plots: probabilityTrendSvg has no class to draw");

  const entries: LegendEntry[] = classNames.map((c, i) => ({
    label: c,
    color: seriesColor(i),
    marker: true,
  }));
  const legendBox = legendSize(entries, "row");
  const top = 46 + legendBox.height + 24;
  const box = { x: 80, y: top, width: WIDTH - 110, height: HEIGHT - top - 70 };
  const xAxis = dateAxis(
    sorted.map((p) => p.date.getTime()),
    box.width,
  );
  const yTicks = niceTicks(0, 1, 6);
  const { x, y, elements } = panel(box, xAxis, {
    label: "Probability",
    domain: [0, 1],
    ticks: yTicks,
    format: (v) => `${Math.round(v * 100)}%`,
  });

  const body = [title(WIDTH, options.title ?? "Class probabilities over time")];
  body.push(legend(entries, (WIDTH - legendBox.width) / 2, 46, "row"), ...elements);
  for (const [i, name] of classNames.entries()) {
    const color = seriesColor(i);
    const series = sorted.flatMap((p) => {
      const value = p.probabilities[name];
      return value !== undefined && Number.isFinite(value) ? [{ p, value }] : [];
    });
    body.push(
      polyline(
        series.map(({ p, value }) => [x(p.date.getTime()), y(value)] as const),
        { stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round", "data-class": name },
      ),
      ...series.map(({ p, value }) => {
        const day = isoDay(p.date);
        const tip = `${day}${p.label ? ` ${p.label}` : ""}: ${name} ${(value * 100).toFixed(1)}%`;
        return el(
          "circle",
          { cx: x(p.date.getTime()), cy: y(value), r: 4, fill: color, "data-class": name, "data-date": day },
          el("title", {}, escapeXml(tip)),
        );
      }),
    );
  }
  return svgDocument(WIDTH, HEIGHT, body);
}
