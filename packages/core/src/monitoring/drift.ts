/** What monitoring knows of one input image, and of the images a model was trained on. */
export interface InputStats {
  width: number;
  height: number;
  /** Bits per sample of the original: DICOM BitsStored, else the PNG/JPEG sample depth. */
  bitDepth: number;
  /** Where it came from: "DICOM CR", "DICOM DX", "PNG", "JPEG"... */
  source: string;
  /** Share of the image's pixels in each of HISTOGRAM_BINS equal grey-level bins (sums to 1). */
  histogram: number[];
}

export const HISTOGRAM_BINS = 16;

/** PSI above this is a shift worth a look (the usual reading: < 0.1 none, 0.1-0.2 slight, > 0.2 shifted). */
export const PSI_THRESHOLD = 0.2;
/** Significance level of the Kolmogorov-Smirnov test on image sizes. */
export const KS_ALPHA = 0.05;

// A bin empty on one side would make PSI infinite: shares are floored at this.
const PSI_FLOOR = 1e-4;

/**
 * Population stability index of `actual` against `expected`, both counts (or weights) over the same
 * bins: the sum over bins of (a - e) ln(a / e) of their shares, shares floored at 1e-4.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length)
    throw new Error(`monitoring: PSI of ${expected.length} bins against ${actual.length}`);
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const e = total(expected);
  const a = total(actual);
  if (!(e > 0 && a > 0)) throw new Error("monitoring: PSI needs a non-empty distribution on each side");
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const p = Math.max(expected[i]! / e, PSI_FLOOR);
    const q = Math.max(actual[i]! / a, PSI_FLOOR);
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

/** Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs. */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) throw new Error("monitoring: KS needs values on each side");
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** The KS statistic above which two samples of sizes n and m differ at `alpha` (asymptotic). */
export function ksCriticalValue(n: number, m: number, alpha = KS_ALPHA): number {
  const c = Math.sqrt(-Math.log(alpha / 2) / 2);
  return c * Math.sqrt((n + m) / (n * m));
}

export interface DriftCheck {
  name: "image size" | "bit depth" | "intensity histogram" | "source/modality";
  statistic: "KS" | "PSI";
  value: number;
  threshold: number;
  flagged: boolean;
  /** The distribution on each side, for the reader: shares per category or bin, or size quartiles. */
  reference: Record<string, number>;
  current: Record<string, number>;
}

export interface DriftReport {
  referenceImages: number;
  images: number;
  flagged: boolean;
  checks: DriftCheck[];
}

function shares(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  for (const v of Object.keys(counts)) counts[v]! /= values.length;
  return counts;
}

function categoricalCheck(
  name: "bit depth" | "source/modality",
  reference: readonly string[],
  current: readonly string[],
): DriftCheck {
  const ref = shares(reference);
  const cur = shares(current);
  const categories = [...new Set([...Object.keys(ref), ...Object.keys(cur)])].sort();
  const value = populationStabilityIndex(
    categories.map((c) => ref[c] ?? 0),
    categories.map((c) => cur[c] ?? 0),
  );
  return {
    name,
    statistic: "PSI",
    value,
    threshold: PSI_THRESHOLD,
    flagged: value > PSI_THRESHOLD,
    reference: ref,
    current: cur,
  };
}

function quartiles(values: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { min: sorted[0]!, q1: at(0.25), median: at(0.5), q3: at(0.75), max: sorted[sorted.length - 1]! };
}

function pooledHistogram(images: readonly InputStats[]): number[] {
  const pooled = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const image of images)
    for (const [bin, share] of image.histogram.entries()) pooled[bin]! += share / images.length;
  return pooled;
}

const binShares = (histogram: readonly number[]) =>
  Object.fromEntries(histogram.map((share, bin) => [`${(bin * 256) / HISTOGRAM_BINS}`, share]));

/**
 * The current images against the reference (training) images: image size (pixel count, width ×
 * height) by the two-sample KS test at α = 0.05; bit depth, source/modality and the pooled
 * 16-bin grey-level histogram by PSI above 0.2. Null when either side has no image.
 */
export function compareInputs(
  reference: readonly InputStats[],
  current: readonly InputStats[],
): DriftReport | null {
  if (reference.length === 0 || current.length === 0) return null;
  const pixels = (images: readonly InputStats[]) => images.map((i) => i.width * i.height);
  const size = ksStatistic(pixels(reference), pixels(current));
  const sizeThreshold = ksCriticalValue(reference.length, current.length);
  const refHistogram = pooledHistogram(reference);
  const curHistogram = pooledHistogram(current);
  const histogram = populationStabilityIndex(refHistogram, curHistogram);
  const checks: DriftCheck[] = [
    {
      name: "image size",
      statistic: "KS",
      value: size,
      threshold: sizeThreshold,
      flagged: size > sizeThreshold,
      reference: quartiles(pixels(reference)),
      current: quartiles(pixels(current)),
    },
    categoricalCheck(
      "bit depth",
      reference.map((i) => `${i.bitDepth}`),
      current.map((i) => `${i.bitDepth}`),
    ),
    {
      name: "intensity histogram",
      statistic: "PSI",
      value: histogram,
      threshold: PSI_THRESHOLD,
      flagged: histogram > PSI_THRESHOLD,
      reference: binShares(refHistogram),
      current: binShares(curHistogram),
    },
    categoricalCheck(
      "source/modality",
      reference.map((i) => i.source),
      current.map((i) => i.source),
    ),
  ];
  return {
    referenceImages: reference.length,
    images: current.length,
    flagged: checks.some((c) => c.flagged),
    checks,
  };
}
