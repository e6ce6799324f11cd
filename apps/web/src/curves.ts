import type { CurvePoint } from "@cxrlab/core/plots";

interface StoredEpoch {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

/** Stored epochs (null where training produced no finite value) as plot points (NaN, which plots skip). */
export function curvePoints(epochs: readonly StoredEpoch[]): CurvePoint[] {
  const value = (v: number | null) => v ?? Number.NaN;
  return epochs.map((e) => ({
    epoch: e.epoch,
    loss: value(e.loss),
    accuracy: value(e.accuracy),
    valLoss: value(e.valLoss),
    valAccuracy: value(e.valAccuracy),
  }));
}
