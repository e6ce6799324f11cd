import type { Image, Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";

export interface ImageInput {
  sha256: string;
  location: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  /** True class name, when known. */
  label?: string | null;
}

/** The image row for this content hash: created once, later calls refresh location and label. */
export async function upsertImage(store: Store, image: ImageInput): Promise<Image> {
  if (!/^[0-9a-f]{64}$/.test(image.sha256)) {
    throw new Error(
      `image ${image.location}: sha256 must be 64 lower-case hex digits, got "${image.sha256}"`,
    );
  }
  const { sha256, label, ...rest } = image;
  return retryWhenBusy(() =>
    store.prisma.image.upsert({
      where: { sha256 },
      create: { sha256, ...rest, label: label ?? null },
      update: { location: rest.location, label: label ?? undefined },
    }),
  );
}

export interface PredictionInput {
  imageId: number;
  /** Class name -> probability. */
  probabilities: Record<string, number>;
  predictedLabel: string;
}

/** Stores a batch of a run's predictions in one transaction; a repeated image replaces its prediction. */
export async function recordPredictions(
  store: Store,
  runId: number,
  predictions: PredictionInput[],
): Promise<void> {
  await retryWhenBusy(() =>
    store.prisma.$transaction(
      predictions.map(({ imageId, probabilities, predictedLabel }) => {
        const values = { probabilities: probabilities as Prisma.InputJsonValue, predictedLabel };
        return store.prisma.prediction.upsert({
          where: { runId_imageId: { runId, imageId } },
          create: { runId, imageId, ...values },
          update: values,
        });
      }),
    ),
  );
}
