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

/** The UTC day of a date, as study dates are shown: 2024-03-05. */
export function day(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? DASH : date.toISOString().slice(0, 10);
}

/** A DICOM date (DA, YYYYMMDD) written as 1980-01-02; any other text as it is. */
export function dicomDay(value: string | null | undefined): string {
  if (!value) return DASH;
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  return match ? `${match[1]}-${match[2]}-${match[3]}` : value;
}

/** A DICOM person name (family^given^middle^prefix^suffix) as "family, given middle". */
export function personName(value: string | null | undefined): string {
  if (!value?.trim()) return DASH;
  const [family = "", ...rest] = value.split("^").map((part) => part.trim());
  const given = rest.filter((part) => part !== "").join(" ");
  return family && given ? `${family}, ${given}` : family || given;
}

/** An account as pages name it: its name, else its email; null once the account was deleted. */
export function accountName(account: { name: string; email: string } | null): string {
  return account ? account.name || account.email : "a deleted account";
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
