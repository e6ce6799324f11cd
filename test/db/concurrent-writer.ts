// Child process of the store's concurrency test: `concurrent-writer.ts <database-url> <writer> <rows>`.
// Creates one run, then writes <rows> epochs, images and predictions one statement/transaction at a time,
// plus the images every writer shares (same sha256), so the two writers race on the same rows.
import { createHash } from "node:crypto";
import { experimentConfigSchema } from "@cxrlab/core/config";
import { createRun, openStore, recordEpoch, recordPredictions, upsertImage } from "@cxrlab/db";

const [url, writer, rowsArg] = process.argv.slice(2);
if (!url || !writer || !rowsArg)
  throw new Error("usage: concurrent-writer.ts <database-url> <writer> <rows>");
const rows = Number(rowsArg);
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

const store = await openStore(url);
try {
  const run = await createRun(store, { config: experimentConfigSchema.parse({ name: `writer-${writer}` }) });
  for (let i = 0; i < rows; i++) {
    await recordEpoch(store, run.id, {
      epoch: i + 1,
      loss: 1 / (i + 1),
      accuracy: i / rows,
      valLoss: 1 / (i + 2),
      valAccuracy: i / rows,
      seconds: 0.1,
      imagesPerSecond: 10,
    });
    const own = await upsertImage(store, image(`${writer}-${i}`));
    const shared = await upsertImage(store, image(`shared-${i}`));
    await recordPredictions(
      store,
      run.id,
      [own, shared].map((img) => ({
        imageId: img.id,
        probabilities: { COVID: 0.2, Normal: 0.5, "Viral Pneumonia": 0.3 },
        predictedLabel: "Normal",
      })),
    );
  }
} finally {
  await store.close();
}

function image(name: string) {
  return {
    sha256: sha(name),
    location: `/images/${name}.png`,
    format: "png",
    width: 8,
    height: 8,
    bytes: 64,
  };
}
