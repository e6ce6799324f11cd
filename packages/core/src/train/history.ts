export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  imagesPerSecond: number;
}

/**
 * Index into `history` of the epoch whose weights are kept: the best by the monitored metric (Keras
 * ModelCheckpoint semantics), or the last one for `last`.
 */
export function bestEpochIndex(
  history: readonly Pick<EpochRecord, "valLoss" | "valAccuracy">[],
  monitor: "val_loss" | "val_accuracy" | "last",
): number {
  if (monitor === "last") return history.length - 1;
  let best = -1;
  history.forEach((h, i) => {
    const b = history[best];
    if (!b) best = Number.isFinite(monitor === "val_loss" ? h.valLoss : h.valAccuracy) ? i : best;
    else if (monitor === "val_loss" ? h.valLoss < b.valLoss : h.valAccuracy > b.valAccuracy) best = i;
  });
  return best;
}
