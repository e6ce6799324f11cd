/** How monitoring groups arrivals in time: calendar weeks (Monday, UTC), calendar months, or N days. */
export type TimeWindow = "week" | "month" | { days: number };

const DAY_MS = 86_400_000;

/** "week", "month" or "Nd" (e.g. "14d") as a window; an error naming the text otherwise. */
export function parseTimeWindow(text: string): TimeWindow {
  if (text === "week" || text === "month") return text;
  const days = /^(\d{1,4})d$/.exec(text);
  if (days && Number(days[1]) >= 1) return { days: Number(days[1]) };
  throw new Error(`window "${text}": expected week, month or a number of days such as 14d`);
}

export function formatTimeWindow(window: TimeWindow): string {
  return typeof window === "string" ? window : `${window.days}d`;
}

/** The start (UTC midnight) of the window holding `date`; N-day windows count from 1970-01-01. */
export function windowStart(date: Date, window: TimeWindow): Date {
  const day = Math.floor(date.getTime() / DAY_MS);
  if (window === "month") return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  if (window === "week") {
    // 1970-01-01 was a Thursday: Monday-based weekday is (day + 3) mod 7.
    return new Date((day - ((day + 3) % 7)) * DAY_MS);
  }
  return new Date((day - (day % window.days)) * DAY_MS);
}

/** The start of the window after the one starting at `start`. */
export function windowEnd(start: Date, window: TimeWindow): Date {
  if (window === "month") return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + (window === "week" ? 7 : window.days) * DAY_MS);
}

/** Items grouped by the window of their time, oldest window first (windows without items left out). */
export function groupByWindow<T>(
  items: readonly T[],
  timeOf: (item: T) => Date,
  window: TimeWindow,
): { start: Date; end: Date; items: T[] }[] {
  const byStart = new Map<number, T[]>();
  for (const item of items) {
    const start = windowStart(timeOf(item), window).getTime();
    const held = byStart.get(start);
    if (held) held.push(item);
    else byStart.set(start, [item]);
  }
  return [...byStart]
    .sort(([a], [b]) => a - b)
    .map(([start, grouped]) => ({
      start: new Date(start),
      end: windowEnd(new Date(start), window),
      items: grouped,
    }));
}
