/** How modality values become display values (PS3.3 C.11.2): the first of these the file has. */
export type Voi =
  | { kind: "window"; center: number; width: number; fn: "LINEAR" | "LINEAR_EXACT" | "SIGMOID" }
  | { kind: "lut"; firstMapped: number; bits: number; data: ArrayLike<number> }
  | { kind: "minmax" }
  /** 0..max shown black to white: colour pixels, which a viewer shows as stored. */
  | { kind: "range"; max: number };

export interface DisplayOptions {
  slope: number;
  intercept: number;
  voi: Voi;
  /** MONOCHROME1: the lowest value is white. */
  invert: boolean;
}

/**
 * Stored pixel values -> 8-bit grey: modality rescale, then the VOI window or LUT (else the
 * min-max of the modality values), then inversion for MONOCHROME1.
 */
export function toDisplay(stored: ArrayLike<number>, opts: DisplayOptions): Uint8Array {
  const modality = Float64Array.from(stored, (v) => v * opts.slope + opts.intercept);
  const map = displayFunction(modality, opts.voi);
  const out = new Uint8Array(modality.length);
  for (let i = 0; i < modality.length; i++) {
    const y = Math.round(Math.min(255, Math.max(0, map(modality[i]!))));
    out[i] = opts.invert ? 255 - y : y;
  }
  return out;
}

function displayFunction(values: Float64Array, voi: Voi): (x: number) => number {
  switch (voi.kind) {
    case "window":
      return windowFunction(voi);
    case "lut": {
      const { firstMapped, data } = voi;
      const last = data.length - 1;
      const scale = 255 / (2 ** voi.bits - 1);
      return (x) => data[Math.min(last, Math.max(0, Math.round(x) - firstMapped))]! * scale;
    }
    case "range":
      return (x) => (x / voi.max) * 255;
    case "minmax": {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return max === min ? () => 0 : (x) => ((x - min) / (max - min)) * 255;
    }
  }
}

/** PS3.3 C.11.2.1.2 (LINEAR), C.11.2.1.3.2 (LINEAR_EXACT) and C.11.2.1.3.1 (SIGMOID), output 0..255. */
function windowFunction({
  center: c,
  width: w,
  fn,
}: Extract<Voi, { kind: "window" }>): (x: number) => number {
  if (fn === "SIGMOID") return (x) => 255 / (1 + Math.exp((-4 * (x - c)) / w));
  if (fn === "LINEAR_EXACT") {
    return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
  }
  const low = c - 0.5 - (w - 1) / 2;
  const high = c - 0.5 + (w - 1) / 2;
  return (x) => (x <= low ? 0 : x > high ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
}
