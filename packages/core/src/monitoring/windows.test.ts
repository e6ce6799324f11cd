import { describe, expect, it } from "vitest";
import { groupByWindow, parseTimeWindow, windowEnd, windowStart } from "./windows.ts";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe("time windows", () => {
  it("starts weeks on Monday, months on the 1st, N days from 1970-01-01 (UTC)", () => {
    expect(windowStart(new Date("2026-12-08T15:00:00Z"), "week")).toEqual(day("2026-12-07"));
    expect(windowStart(new Date("2026-12-13T23:59:59Z"), "week")).toEqual(day("2026-12-07"));
    expect(windowStart(new Date("2026-12-14T00:00:00Z"), "week")).toEqual(day("2026-12-14"));
    expect(windowStart(new Date("2026-02-28T12:00:00Z"), "month")).toEqual(day("2026-02-01"));
    expect(windowEnd(day("2026-12-01"), "month")).toEqual(day("2027-01-01"));
    expect(windowStart(day("1970-01-20"), { days: 14 })).toEqual(day("1970-01-15"));
    expect(windowEnd(day("1970-01-15"), { days: 14 })).toEqual(day("1970-01-29"));
  });

  it("groups items by window, oldest first", () => {
    const items = ["2026-12-09", "2026-11-30", "2026-12-07", "2026-12-20"].map(day);
    const groups = groupByWindow(items, (d) => d, "week");
    expect(groups.map((g) => [g.start.toISOString().slice(0, 10), g.items.length])).toEqual([
      ["2026-11-30", 1],
      ["2026-12-07", 2],
      ["2026-12-14", 1],
    ]);
  });

  it("parses week, month and Nd, refusing anything else by name", () => {
    expect(parseTimeWindow("week")).toBe("week");
    expect(parseTimeWindow("30d")).toEqual({ days: 30 });
    expect(() => parseTimeWindow("fortnight")).toThrow(/window "fortnight": expected week, month/);
    expect(() => parseTimeWindow("0d")).toThrow(/window "0d"/);
  });
});
