import type { ScheduleConfig } from "../config.ts";

/**
 * The learning rate for optimisation step `step` (0-based) of `totalSteps`, `stepsPerEpoch` to an
 * epoch: a linear warm-up over `warmupEpochs` (step k of W runs at peak·(k+1)/W, so the first step
 * is not wasted at 0), then the peak, or a half-cosine from the peak down to peak·minFactor at the
 * last step.
 */
export function learningRateAt(
  schedule: ScheduleConfig,
  peak: number,
  step: number,
  totalSteps: number,
  stepsPerEpoch: number,
): number {
  const warmup = Math.min(Math.round(schedule.warmupEpochs * stepsPerEpoch), totalSteps);
  if (step < warmup) return (peak * (step + 1)) / warmup;
  if (schedule.decay === "constant") return peak;
  const span = totalSteps - warmup - 1;
  const progress = span > 0 ? Math.min((step - warmup) / span, 1) : 1;
  const floor = peak * schedule.minFactor;
  return floor + ((peak - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
