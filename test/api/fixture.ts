/**
 * A store filled the way the CLI fills it, through @cxrlab/db's functions: runs of several presets,
 * statuses and tags, their epochs, test evaluations (core's metrics) and predictions on the 120 real
 * X-rays of the shared sample. Probabilities come from a seeded generator, so every expectation in the
 * tests is computed from `SeededStore` by plain code, not copied from the API.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { ExperimentConfig } from "@cxrlab/core/config";
import { imageFileInfo } from "@cxrlab/core/data";
import { evaluatePredictions } from "@cxrlab/core/metrics";
import { sharedPaths } from "@cxrlab/core/paths";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRng } from "@cxrlab/core/random";
import { CLASS_NAMES } from "@cxrlab/core/testing";
import {
  addRunNote,
  createRun,
  recordEpoch,
  recordEvaluation,
  recordPredictions,
  type Store,
  updateRunProgress,
  updateRunStatus,
  upsertImage,
} from "@cxrlab/db";

export const CLASSES = CLASS_NAMES;

export interface SampleImage {
  id: number;
  path: string;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  label: string;
}

export interface SeededPrediction {
  imageId: number;
  trueLabel: string;
  predictedLabel: string;
  confidence: number;
  probabilities: Record<string, number>;
}

export interface SeededRun {
  id: number;
  name: string;
  preset: string;
  status: string;
  tags: string[];
  createdAt: Date;
  config: ExperimentConfig;
  valLosses: number[];
  testAccuracy: number | null;
  predictions: SeededPrediction[];
}

export interface SeededStore {
  images: SampleImage[];
  runs: SeededRun[];
  byName(name: string): SeededRun;
}

/** The shared sample's X-rays, `perClass` of each class (sorted by name). */
export function sampleImagePaths(perClass = 40): { path: string; label: string }[] {
  return CLASSES.flatMap((label) => {
    const dir = path.join(sharedPaths.sample(), label);
    return readdirSync(dir)
      .sort()
      .slice(0, perClass)
      .map((f) => ({ path: path.join(dir, f), label }));
  });
}

/** Probabilities for an image of class `label`: right about `skill` of the time, confidence spread. */
export function seededProbabilities(
  rng: ReturnType<typeof createRng>,
  label: number,
  skill: number,
): number[] {
  const winner = rng.next() < skill ? label : (label + 1 + rng.int(CLASSES.length - 1)) % CLASSES.length;
  const raw = CLASSES.map((_, k) => (k === winner ? 1 + 3 * rng.next() : rng.next()));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

interface RunSpec {
  name: string;
  preset: "reference" | "recommended" | "quick";
  status: "succeeded" | "failed" | "running" | "queued";
  tags: string[];
  createdAt: string;
  overrides?: Parameters<typeof resolveConfig>[1];
  /** Validation losses of the recorded epochs. */
  valLosses: number[];
  /** Share of test images predicted right; undefined: no test evaluation. */
  skill?: number;
}

const RUNS: RunSpec[] = [
  {
    name: "baseline-reference",
    preset: "reference",
    status: "succeeded",
    tags: ["baseline"],
    createdAt: "2026-11-20T10:00:00Z",
    valLosses: [0.9, 0.7, 0.75],
    skill: 0.8,
  },
  {
    name: "recommended-a",
    preset: "recommended",
    status: "succeeded",
    tags: ["sweep", "best"],
    createdAt: "2026-11-22T09:30:00Z",
    valLosses: [0.6, 0.4, 0.45, 0.5],
    skill: 0.9,
  },
  {
    name: "recommended-b",
    preset: "recommended",
    status: "succeeded",
    tags: ["sweep"],
    createdAt: "2026-11-22T18:45:00Z",
    overrides: { training: { optimizer: { learningRate: 0.01 } }, seed: 7 },
    valLosses: [0.8, 0.65],
    skill: 0.6,
  },
  {
    name: "quick-smoke",
    preset: "quick",
    status: "failed",
    tags: [],
    createdAt: "2026-11-24T12:00:00Z",
    valLosses: [1.1],
  },
  {
    name: "quick-live",
    preset: "quick",
    status: "running",
    tags: ["live"],
    createdAt: "2026-11-26T08:00:00Z",
    valLosses: [1.0],
  },
  {
    name: "queued-reference",
    preset: "reference",
    status: "queued",
    tags: [],
    createdAt: "2026-11-27T07:00:00Z",
    valLosses: [],
  },
];

/** Running run's live progress as `cxrlab train` writes it. */
export const LIVE_PROGRESS = {
  phase: "train",
  epoch: 2,
  epochs: 3,
  done: 30,
  total: 120,
  imagesPerSecond: 4.5,
  etaSeconds: 20,
};

export async function seedStore(store: Store): Promise<SeededStore> {
  const images: SampleImage[] = [];
  for (const { path: file, label } of sampleImagePaths()) {
    const info = await imageFileInfo(file);
    const row = await upsertImage(store, { ...info, location: file, label });
    images.push({ ...info, id: row.id, path: file, label });
  }
  const runs: SeededRun[] = [];
  for (const [i, spec] of RUNS.entries()) {
    const config = resolveConfig(spec.preset, { name: spec.name, ...spec.overrides });
    const run = await createRun(store, { config, backend: "wasm", tags: spec.tags });
    // createRun stamps "now"; the list's date filters need runs spread over days.
    await store.prisma.run.update({ where: { id: run.id }, data: { createdAt: new Date(spec.createdAt) } });
    if (spec.status !== "queued") await updateRunStatus(store, run.id, "running");
    for (const [e, valLoss] of spec.valLosses.entries()) {
      await recordEpoch(store, run.id, {
        epoch: e + 1,
        loss: valLoss - 0.1,
        accuracy: 0.5 + e / 20,
        valLoss,
        valAccuracy: 1 - valLoss / 2,
        seconds: 30 + e,
        imagesPerSecond: 4,
      });
    }
    const predictions: SeededPrediction[] = [];
    let testAccuracy: number | null = null;
    if (spec.skill !== undefined) {
      const rng = createRng(1000 + i);
      const rows = images.map((img) => seededProbabilities(rng, CLASSES.indexOf(img.label), spec.skill!));
      const metrics = evaluatePredictions({
        probabilities: rows,
        labels: images.map((img) => CLASSES.indexOf(img.label)),
        classNames: CLASSES,
      });
      await recordEvaluation(store, run.id, "test", metrics);
      testAccuracy = metrics.accuracy;
      for (const [k, img] of images.entries()) {
        const p = rows[k]!;
        const best = p.indexOf(Math.max(...p));
        predictions.push({
          imageId: img.id,
          trueLabel: img.label,
          predictedLabel: CLASSES[best]!,
          confidence: p[best]!,
          probabilities: Object.fromEntries(CLASSES.map((c, j) => [c, p[j]!])),
        });
      }
      await recordPredictions(store, run.id, predictions);
    }
    if (spec.status === "running") await updateRunProgress(store, run.id, LIVE_PROGRESS);
    else if (spec.status !== "queued") {
      await updateRunStatus(
        store,
        run.id,
        spec.status,
        spec.status === "failed" ? { message: "out of memory" } : {},
      );
    }
    if (spec.status === "succeeded") await addRunNote(store, run.id, `notes on ${spec.name}`);
    runs.push({
      id: run.id,
      name: spec.name,
      preset: spec.preset,
      status: spec.status,
      tags: [...spec.tags].sort(),
      createdAt: new Date(spec.createdAt),
      config,
      valLosses: spec.valLosses,
      testAccuracy,
      predictions,
    });
  }
  return {
    images,
    runs,
    byName: (name) => {
      const run = runs.find((r) => r.name === name);
      if (!run) throw new Error(`no seeded run ${name}`);
      return run;
    },
  };
}
