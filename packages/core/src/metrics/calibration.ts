import { argmax } from "./probabilities.ts";

export interface ReliabilityBin {
  /** The bin holds top-label confidences in (lower, upper]; the first bin also holds 0. */
  lower: number;
  upper: number;
  count: number;
  /** Mean top-label confidence of the bin's examples; null for an empty bin. */
  meanConfidence: number | null;
  /** Fraction of the bin's examples whose top label is right; null for an empty bin. */
  accuracy: number | null;
}

export interface Calibration {
  /** Expected calibration error: sum over bins of (count / n) * |accuracy - meanConfidence|. */
  ece: number;
  bins: ReliabilityBin[];
}

/** Expected calibration error of the top-label confidence, over `numBins` equal-width bins of [0, 1]. */
export function expectedCalibration(
  probabilities: readonly (readonly number[])[],
  labels: ArrayLike<number>,
  numBins = 15,
): Calibration {
  if (!Number.isInteger(numBins) || numBins < 1) {
    throw new Error(`metrics: numBins is ${numBins}, expected a positive integer`);
  }
  if (probabilities.length === 0) throw new Error("metrics: expectedCalibration needs at least one example");
  const sums = Array.from({ length: numBins }, () => ({ count: 0, confidence: 0, correct: 0 }));
  probabilities.forEach((row, i) => {
    const predicted = argmax(row);
    const confidence = row[predicted]!;
    // Edges are i / numBins, compared directly so that a confidence equal to an edge lands below it.
    let bin = 0;
    while (bin < numBins - 1 && confidence > (bin + 1) / numBins) bin++;
    const sum = sums[bin]!;
    sum.count++;
    sum.confidence += confidence;
    if (predicted === labels[i]) sum.correct++;
  });
  const bins = sums.map((s, b) => ({
    lower: b / numBins,
    upper: (b + 1) / numBins,
    count: s.count,
    meanConfidence: s.count === 0 ? null : s.confidence / s.count,
    accuracy: s.count === 0 ? null : s.correct / s.count,
  }));
  return { ece: calibrationError(bins), bins };
}

/** Expected calibration error of filled bins: sum of (count / total) * |accuracy - meanConfidence|. */
export function calibrationError(bins: readonly ReliabilityBin[]): number {
  const total = bins.reduce((sum, b) => sum + b.count, 0);
  return bins.reduce(
    (sum, b) =>
      sum + (total === 0 ? 0 : (b.count / total) * Math.abs((b.accuracy ?? 0) - (b.meanConfidence ?? 0))),
    0,
  );
}
