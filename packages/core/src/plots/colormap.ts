/** matplotlib's "Blues" colormap, sampled at nine evenly spaced stops. */
export const BLUES = [
  "#f7fbff",
  "#deebf7",
  "#c6dbef",
  "#9ecae1",
  "#6baed6",
  "#4292c6",
  "#2171b5",
  "#08519c",
  "#08306b",
];

function channels(hex: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
}

/** The colour at t in [0, 1] of `stops`, linearly interpolated in RGB. */
export function colormap(t: number, stops: readonly string[] = BLUES): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const position = clamped * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(position));
  const a = channels(stops[i]!);
  const b = channels(stops[i + 1]!);
  const f = position - i;
  return `#${a
    .map((c, k) =>
      Math.round(c + (b[k]! - c) * f)
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}
