/**
 * What the patient page derives from a patient's history (patients.get): the models that predicted
 * any of the patient's images, which prediction an image's heatmap explains, and a model's trend.
 */
import type { RouterOutputs } from "@cxrlab/api";
import type { TrendPoint } from "@cxrlab/core/plots";

export type PatientHistory = RouterOutputs["patients"]["get"];
export type PatientStudy = PatientHistory["studies"][number];
export type PatientImage = PatientStudy["images"][number];
export type PatientImagePrediction = PatientImage["predictions"][number];

export interface PatientModel {
  runId: number;
  runName: string;
  /** When it last predicted one of the patient's images. */
  latest: Date;
  /** How many of the patient's images it predicted. */
  images: number;
}

const time = (value: Date | string) => new Date(value).getTime();

/** Newest first; a tie goes to the newer run (the higher id). */
function newerFirst(a: { at: number; runId: number }, b: { at: number; runId: number }): number {
  return b.at - a.at || b.runId - a.runId;
}

/** An image's predictions, the most recent first. */
export function latestFirst(predictions: readonly PatientImagePrediction[]): PatientImagePrediction[] {
  return [...predictions].sort((a, b) =>
    newerFirst({ at: time(a.createdAt), runId: a.runId }, { at: time(b.createdAt), runId: b.runId }),
  );
}

/** Every model that predicted one of the patient's images, the most recently used first. */
export function patientModels(history: PatientHistory): PatientModel[] {
  const models = new Map<number, PatientModel>();
  for (const p of history.studies.flatMap((s) => s.images.flatMap((i) => i.predictions))) {
    const model = models.get(p.runId);
    const at = new Date(p.createdAt);
    if (!model) models.set(p.runId, { runId: p.runId, runName: p.runName, latest: at, images: 1 });
    else {
      model.images += 1;
      if (at > model.latest) model.latest = at;
    }
  }
  return [...models.values()].sort((a, b) =>
    newerFirst({ at: a.latest.getTime(), runId: a.runId }, { at: b.latest.getTime(), runId: b.runId }),
  );
}

/** The prediction an image's heatmap explains: the chosen model's, else the image's latest. */
export function heatmapPrediction(image: PatientImage, runId: number | null): PatientImagePrediction | null {
  return image.predictions.find((p) => p.runId === runId) ?? latestFirst(image.predictions)[0] ?? null;
}

/**
 * The model's view of each dated study it predicted: one point per study, each class's probability
 * averaged over the study's images the model saw (a study may hold a frontal and a lateral view).
 */
export function trendPoints(history: PatientHistory, runId: number): TrendPoint[] {
  return history.studies.flatMap((study) => {
    if (!study.studyDate) return [];
    const rows = study.images.flatMap((i) => i.predictions.filter((p) => p.runId === runId));
    if (rows.length === 0) return [];
    const sums: Record<string, number> = {};
    for (const row of rows) {
      for (const [name, value] of Object.entries(row.probabilities as Record<string, number>)) {
        sums[name] = (sums[name] ?? 0) + value;
      }
    }
    const probabilities = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / rows.length]));
    return [
      {
        date: new Date(study.studyDate),
        probabilities,
        ...(study.accessionNumber ? { label: study.accessionNumber } : {}),
      },
    ];
  });
}
