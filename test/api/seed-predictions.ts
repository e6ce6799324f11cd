/**
 * A run with `count` predictions for the paging test and bench: image rows cycle through the
 * shared sample's real files (distinct content hashes per row, as a large test set would have),
 * predictions go in through recordPredictions. Confidences are rounded to 2 decimals so many
 * tie, which paging must handle without repeating or skipping rows.
 */
import { createHash } from "node:crypto";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRng } from "@cxrlab/core/random";
import { createRun, recordPredictions, type Store } from "@cxrlab/db";
import { CLASSES, sampleImagePaths, seededProbabilities } from "./fixture.ts";

export interface BigRun {
  runId: number;
  predictions: { imageId: number; trueLabel: string; predictedLabel: string; confidence: number }[];
}

const CHUNK = 500;

export async function seedBigRun(store: Store, count: number, seed = 1): Promise<BigRun> {
  const run = await createRun(store, { config: resolveConfig("quick", { name: `paging-${count}` }) });
  const files = sampleImagePaths();
  const rng = createRng(seed);
  const predictions: BigRun["predictions"] = [];
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    const rows = Array.from({ length: n }, (_, k) => {
      const file = files[(start + k) % files.length]!;
      return {
        sha256: createHash("sha256")
          .update(`${run.id}:${start + k}`)
          .digest("hex"),
        location: file.path,
        format: "png",
        width: 256,
        height: 256,
        bytes: 0,
        label: file.label,
      };
    });
    await store.prisma.image.createMany({ data: rows });
    const images = await store.prisma.image.findMany({
      where: { sha256: { in: rows.map((r) => r.sha256) } },
      select: { id: true, label: true },
      orderBy: { id: "asc" },
    });
    const batch = images.map((img) => {
      const p = seededProbabilities(rng, CLASSES.indexOf(img.label!), 0.75).map(
        (v) => Math.round(v * 100) / 100,
      );
      const best = p.indexOf(Math.max(...p));
      return {
        imageId: img.id,
        trueLabel: img.label!,
        predictedLabel: CLASSES[best]!,
        confidence: p[best]!,
        probabilities: Object.fromEntries(CLASSES.map((c, j) => [c, p[j]!])),
      };
    });
    await recordPredictions(store, run.id, batch);
    predictions.push(...batch.map(({ probabilities: _, ...rest }) => rest));
  }
  return { runId: run.id, predictions };
}
