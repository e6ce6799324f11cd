import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunFolderStatus } from "@cxrlab/validators/run-status";
import { describeSplitGrouping } from "../data/split-groups.ts";
import { formatClassificationReport, formatMetricIntervals } from "../metrics/index.ts";
import {
  confusionMatrixSvg,
  reliabilityDiagramSvg,
  rocCurvesSvg,
  trainingCurvesSvg,
  writePlot,
} from "../plots/index.ts";
import type { TrainOutcome } from "../train/trainer.ts";
import { toCsv, writeJson } from "./run-dir.ts";

/** Paths of what a finished (or interrupted) run wrote into its folder; absent when not produced. */
export interface RunArtifacts {
  run: string;
  config: string;
  history: string;
  historyCsv: string;
  report?: string;
  metrics?: string;
  predictions?: string;
  curvesPng?: string;
  curvesSvg?: string;
  confusionPng?: string;
  confusionSvg?: string;
  rocPng?: string;
  rocSvg?: string;
  reliabilityPng?: string;
  reliabilitySvg?: string;
  model?: string;
}

/** `run.json`: the run's status and what it ran on; written at start, on failure and at the end. */
export async function writeRunStatus(
  runDir: string,
  status: RunFolderStatus,
  details: Record<string, unknown> = {},
) {
  const file = path.join(runDir, "run.json");
  await writeJson(file, { status, updatedAt: new Date().toISOString(), ...details });
  return file;
}

export async function writeRunArtifacts(outcome: TrainOutcome): Promise<RunArtifacts> {
  const dir = outcome.runDir;
  const at = (name: string) => path.join(dir, name);
  const { evaluation: m, history, classNames } = outcome;

  const run = await writeRunStatus(dir, outcome.status, {
    name: outcome.config.name,
    preset: outcome.config.preset,
    backend: outcome.backend,
    seed: outcome.config.seed,
    summary: outcome.summary,
    classNames,
    counts: outcome.counts,
    testSource: outcome.testSource,
    splitGrouping: outcome.splitGrouping,
    prefixCached: outcome.prefixCached,
    trainEngine: outcome.trainEngine,
    bestEpoch: outcome.bestEpoch,
    featurewiseMean: outcome.featurewiseMean,
    temperature: outcome.temperature,
    timings: outcome.timings,
    skipped: outcome.skipped,
    ignored: outcome.ignored,
    accuracy: m?.accuracy ?? null,
    loss: m?.loss ?? null,
  });
  const files: RunArtifacts = {
    run,
    config: at("config.json"),
    history: at("history.json"),
    historyCsv: at("history.csv"),
  };
  await writeJson(files.history, history);
  await writeFile(
    files.historyCsv,
    toCsv(
      ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"],
      history.map((h) => [h.epoch, h.loss, h.accuracy, h.valLoss, h.valAccuracy, h.seconds]),
    ),
  );
  if (history.length > 0) {
    const curves = await writePlot(
      trainingCurvesSvg(history, {
        bestEpoch: outcome.bestEpoch,
        monitor: outcome.config.training.checkpointMonitor,
      }),
      at("plots/training-curves"),
    );
    files.curvesPng = curves.png;
    files.curvesSvg = curves.svg;
  }
  if (!m) return files;

  files.metrics = at("metrics.json");
  // The intervals ride along as an extra field: metrics.json keeps every field it had.
  await writeJson(files.metrics, outcome.intervals ? { ...m, intervals: outcome.intervals } : m);
  files.report = at("report.txt");
  await writeFile(files.report, reportText(outcome));
  files.predictions = at("predictions.csv");
  await writeFile(
    files.predictions,
    toCsv(
      ["path", "label", "predicted", ...classNames.map((c) => `p_${c}`)],
      outcome.testPredictions.map((p) => [
        p.path,
        classNames[p.label]!,
        classNames[p.predicted]!,
        ...p.probabilities.map((v) => v.toFixed(6)),
      ]),
    ),
  );
  const confusion = await writePlot(
    confusionMatrixSvg(m.confusionMatrix, classNames),
    at("plots/confusion-matrix"),
  );
  const roc = await writePlot(rocCurvesSvg(m.roc, classNames), at("plots/roc-curves"));
  const reliability = await writePlot(reliabilityDiagramSvg(m.reliability), at("plots/reliability"));
  Object.assign(files, {
    confusionPng: confusion.png,
    confusionSvg: confusion.svg,
    rocPng: roc.png,
    rocSvg: roc.svg,
    reliabilityPng: reliability.png,
    reliabilitySvg: reliability.svg,
  });
  if (outcome.modelDir) files.model = outcome.modelDir;
  return files;
}

function reportText(outcome: TrainOutcome): string {
  const m = outcome.evaluation!;
  const pct = (v: number) => `${(v * 100).toFixed(3)}%`;
  const lines = [
    `CXR Lab run ${path.basename(outcome.runDir)} (preset ${outcome.config.preset}, seed ${outcome.config.seed})`,
    `backend ${outcome.backend.name}, training on ${outcome.trainEngine}; ${outcome.config.architecture} at ${outcome.config.preprocessing.imageSize}px; ` +
      `layers [0, ${outcome.summary.freezeUntil}) frozen${outcome.prefixCached ? " (prefix cached)" : ""}`,
    `images: train ${outcome.counts.train}, validation ${outcome.counts.validation}, test ${outcome.counts.test} ` +
      `(${outcome.testSource === "folder" ? "test folder" : "held out of the data folder"})`,
    describeSplitGrouping(outcome.splitGrouping),
    `best epoch by ${outcome.config.training.checkpointMonitor}: ${outcome.bestEpoch}`,
    ...(outcome.temperature !== null
      ? [
          `calibrated: temperature ${outcome.temperature.toFixed(4)} (fitted on validation, folded into the model)`,
        ]
      : []),
    "",
    `test accuracy ${pct(m.accuracy)}, loss ${m.loss.toFixed(5)}, macro AUC ${m.macroAuc?.toFixed(5) ?? "n/a"}, ` +
      `ECE ${m.ece.toFixed(5)}`,
    ...(outcome.intervals ? ["", ...formatMetricIntervals(outcome.intervals)] : []),
    "",
    formatClassificationReport(m.report, 5),
    "confusion matrix (rows true, columns predicted):",
    ...m.confusionMatrix.map(
      (row, i) => `  ${outcome.classNames[i]!.padEnd(18)} ${row.map((v) => String(v).padStart(5)).join("")}`,
    ),
    "",
    "per class:           sensitivity  specificity  AUC",
    ...outcome.classNames.map(
      (c, i) =>
        `  ${c.padEnd(18)} ${m.sensitivity[i]!.toFixed(5).padStart(11)}  ${m.specificity[i]!.toFixed(5).padStart(11)}  ` +
        `${m.roc[i]?.auc?.toFixed(5) ?? "n/a"}`,
    ),
  ];
  if (outcome.skipped.length > 0) {
    lines.push("", "skipped unreadable images:", ...outcome.skipped.map((s) => `  ${s.path}: ${s.reason}`));
  }
  return `${lines.join("\n")}\n`;
}
