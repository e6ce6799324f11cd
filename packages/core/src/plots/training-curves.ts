import type { TrainingConfig } from "../config.ts";
import { bestEpochIndex, type EpochRecord } from "../train/history.ts";
import { type Axis, type Box, niceTicks, panel, panelTitle } from "./axes.ts";
import { type LegendEntry, legend, legendSize } from "./legend.ts";
import { el, MUTED_TEXT_COLOR, polyline, seriesColor, svgDocument, text, title } from "./svg.ts";

export type CurvePoint = Pick<EpochRecord, "epoch" | "loss" | "accuracy" | "valLoss" | "valAccuracy">;

export interface TrainingCurvesOptions {
  title?: string;
  /** The epoch whose weights were kept; by default the one `monitor` picks. */
  bestEpoch?: number | null;
  monitor?: TrainingConfig["checkpointMonitor"];
}

const WIDTH = 1100;
const HEIGHT = 480;
const TRAIN = seriesColor(0);
const VALIDATION = seriesColor(1);
const BEST = "#2ca02c";

/** The legend of the kept epoch, by what picked it. */
const MONITOR_LABELS: Record<TrainingConfig["checkpointMonitor"], (epoch: number) => string> = {
  val_loss: (epoch) => `Best epoch ${epoch} (lowest validation loss)`,
  val_accuracy: (epoch) => `Best epoch ${epoch} (highest validation accuracy)`,
  last: (epoch) => `Kept epoch ${epoch} (the last)`,
};

/** Epoch ticks: every epoch while they fit, round steps beyond (shared with the run comparison). */
export function epochAxis(epochs: readonly number[]): Axis {
  const first = Math.min(...epochs);
  const last = Math.max(...epochs);
  const ticks =
    last - first <= 15 ? epochs.filter((e, i) => epochs.indexOf(e) === i) : niceTicks(first, last, 10);
  const pad = Math.max(0.5, (last - first) * 0.03);
  return { label: "Epoch", domain: [first - pad, last + pad], ticks, format: (v) => String(v) };
}

export function valueAxis(label: string, values: readonly number[], fromZero: boolean): Axis {
  const finite = values.filter(Number.isFinite);
  const ticks = niceTicks(fromZero ? 0 : Math.min(...finite), Math.max(...finite), 7);
  return { label, domain: [ticks[0]!, ticks.at(-1)!], ticks };
}

/**
 * Accuracy and loss per epoch, training against validation, in two panels, with the best epoch
 * (lowest validation loss, the first on ties, as Keras' ModelCheckpoint keeps it) marked in both.
 */
export function trainingCurvesSvg(
  history: readonly CurvePoint[],
  options: TrainingCurvesOptions = {},
): string {
  if (history.length === 0) throw new Error("plots: trainingCurvesSvg needs at least one epoch of history");
  const monitor = options.monitor ?? "val_loss";
  const best =
    history.find((h) => h.epoch === options.bestEpoch) ??
    history[Math.max(0, bestEpochIndex(history, monitor))]!;
  const xAxis = epochAxis(history.map((h) => h.epoch));
  const entries: LegendEntry[] = [
    { label: "Training", color: TRAIN, marker: true },
    { label: "Validation", color: VALIDATION, marker: true },
    {
      label: MONITOR_LABELS[monitor](best.epoch),
      color: BEST,
      dash: "6 4",
    },
  ];
  const panels: {
    heading: string;
    box: Box;
    y: Axis;
    train: (h: CurvePoint) => number;
    val: (h: CurvePoint) => number;
  }[] = [
    {
      heading: "Accuracy",
      box: { x: 90, y: 110, width: 430, height: 280 },
      y: valueAxis(
        "Accuracy",
        history.flatMap((h) => [h.accuracy, h.valAccuracy]),
        false,
      ),
      train: (h) => h.accuracy,
      val: (h) => h.valAccuracy,
    },
    {
      heading: "Loss",
      box: { x: 640, y: 110, width: 430, height: 280 },
      y: valueAxis(
        "Loss (cross-entropy)",
        history.flatMap((h) => [h.loss, h.valLoss]),
        true,
      ),
      train: (h) => h.loss,
      val: (h) => h.valLoss,
    },
  ];
  const body = [title(WIDTH, options.title ?? "Training curves")];
  body.push(legend(entries, (WIDTH - legendSize(entries, "row").width) / 2, 46, "row"));
  for (const p of panels) {
    const { x, y, elements } = panel(p.box, xAxis, p.y);
    const series = (value: (h: CurvePoint) => number, color: string) => {
      const points = history
        .filter((h) => Number.isFinite(value(h)))
        .map((h) => [x(h.epoch), y(value(h))] as const);
      return [
        polyline(points, { stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round" }),
        ...points.map(([cx, cy]) => el("circle", { cx, cy, r: 3.5, fill: color })),
      ];
    };
    const bestX = x(best.epoch);
    body.push(
      panelTitle(p.box, p.heading),
      ...elements,
      el("line", {
        x1: bestX,
        x2: bestX,
        y1: p.box.y,
        y2: p.box.y + p.box.height,
        stroke: BEST,
        "stroke-width": 2,
        "stroke-dasharray": "6 4",
      }),
      ...series(p.train, TRAIN),
      ...series(p.val, VALIDATION),
      el("circle", { cx: bestX, cy: y(p.val(best)), r: 7, fill: "none", stroke: BEST, "stroke-width": 2.5 }),
    );
  }
  const note = `Best epoch ${best.epoch}: validation loss ${best.valLoss.toFixed(5)}, validation accuracy ${best.valAccuracy.toFixed(5)}`;
  body.push(
    text(WIDTH / 2, HEIGHT - 18, note, { "text-anchor": "middle", "font-size": 13, fill: MUTED_TEXT_COLOR }),
  );
  return svgDocument(WIDTH, HEIGHT, body);
}
