import { groupingForImages } from "@cxrlab/core/data";
import { type BootstrapSettings, comparePairedAccuracy, type PairedComparison } from "@cxrlab/core/metrics";
import type { Store } from "./store.ts";

/** One image both runs predicted, with its true label. */
export interface PredictionPair {
  imageId: number;
  sha256: string;
  /** The file run A read (else the image's recorded one): its dataset's GROUPS.tsv groups it. */
  location: string;
  label: string;
  predictedA: string;
  predictedB: string;
}

export interface PairedRun {
  id: number;
  name: string;
  /** How many of the run's predictions are of labelled images. */
  labelled: number;
}

export interface PredictionPairs {
  runA: PairedRun;
  runB: PairedRun;
  /** The labelled images both runs predicted, by image id. */
  pairs: PredictionPair[];
}

/** Why two runs cannot be compared on their predictions. */
export class ComparisonRefused extends Error {
  override name = "ComparisonRefused";
}

/**
 * The labelled images (test images, and those of evaluated folders) that both runs predicted. An
 * image is one row per content hash, so the same image matches whatever its path was; its label
 * and file are the ones run A was given (kept on its prediction): the image row may be another
 * project's or the archive's, with their own label and folder. Refuses, naming the run, an unknown run, a run without predictions
 * of labelled images, and two runs with no labelled image in common.
 */
export async function pairRunPredictions(
  store: Store,
  runIdA: number,
  runIdB: number,
): Promise<PredictionPairs> {
  const labelledOf = (runId: number) =>
    store.prisma.prediction.findMany({
      where: { runId, trueLabel: { not: null } },
      select: {
        imageId: true,
        predictedLabel: true,
        trueLabel: true,
        location: true,
        image: { select: { sha256: true, location: true } },
      },
      orderBy: { imageId: "asc" },
    });
  const [runs, predictionsA, predictionsB] = await Promise.all([
    store.prisma.run.findMany({ where: { id: { in: [runIdA, runIdB] } }, select: { id: true, name: true } }),
    labelledOf(runIdA),
    labelledOf(runIdB),
  ]);
  const missing = [runIdA, runIdB].filter((id) => !runs.some((r) => r.id === id));
  if (missing.length > 0)
    throw new ComparisonRefused(`no run ${[...new Set(missing)].join(" or ")} in the store`);
  const describe = (id: number, labelled: number): PairedRun => ({
    id,
    name: runs.find((r) => r.id === id)!.name,
    labelled,
  });
  const runA = describe(runIdA, predictionsA.length);
  const runB = describe(runIdB, predictionsB.length);
  for (const run of [runA, runB]) {
    if (run.labelled === 0) {
      throw new ComparisonRefused(
        `run ${run.id} (${run.name}) has no test predictions: no prediction of an image with a known label`,
      );
    }
  }
  const byImage = new Map(predictionsB.map((p) => [p.imageId, p.predictedLabel]));
  const pairs = predictionsA.flatMap(({ imageId, predictedLabel, trueLabel, location, image }) => {
    const predictedB = byImage.get(imageId);
    return predictedB === undefined
      ? []
      : [
          {
            imageId,
            sha256: image.sha256,
            location: location ?? image.location,
            label: trueLabel!,
            predictedA: predictedLabel,
            predictedB,
          },
        ];
  });
  if (pairs.length === 0) {
    throw new ComparisonRefused(
      `runs ${runA.id} and ${runB.id} have no test image in common ` +
        `(${runA.labelled} and ${runB.labelled} labelled predictions, matched by image content)`,
    );
  }
  return { runA, runB, pairs };
}

/** Two runs' accuracy on the labelled images both predicted, A minus B. */
export interface RunComparison extends PairedComparison {
  runA: PairedRun;
  runB: PairedRun;
}

/**
 * Compares run A with run B on the labelled images both predicted: paired bootstrap interval of
 * the accuracy difference (whole groups resampled where the images' dataset has a GROUPS.tsv) and
 * the exact McNemar test. Refuses as `pairRunPredictions` does.
 */
export async function compareRunPredictions(
  store: Store,
  runIdA: number,
  runIdB: number,
  settings: Omit<BootstrapSettings, "grouping"> = {},
): Promise<RunComparison> {
  const { runA, runB, pairs } = await pairRunPredictions(store, runIdA, runIdB);
  const comparison = comparePairedAccuracy(
    pairs.map((p) => p.predictedA === p.label),
    pairs.map((p) => p.predictedB === p.label),
    { ...settings, grouping: await groupingForImages(pairs.map((p) => p.location)) },
  );
  return { runA, runB, ...comparison };
}
