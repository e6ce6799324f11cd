/** A CSV cell (RFC 4180 quoting) of a value: null as empty, dates as ISO 8601, objects as JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = typeof value === "string" ? value : JSON.stringify(value);
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection); a leading
  // apostrophe makes it text. Emails, user agents and comments are user-controlled.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
