/** Display formats shared by every page; numbers keep enough digits to compare runs. */

const DASH = "—";

/** A fraction as a percentage with two decimals: 0.95833 -> "95.83%". */
export function percent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? DASH
    : `${(value * 100).toFixed(digits)}%`;
}

export function fixed(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits);
}

/** UTC, minute precision, so that server and browser render the same text. */
export function dateTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? DASH : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** 75 -> "1m 15s", 3900 -> "1h 5m". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export { DASH };
