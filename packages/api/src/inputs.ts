import { parseTimeWindow } from "@cxrlab/core/monitoring";
import { z } from "zod";

/** Shared pieces of the procedures' input schemas. */
export const ZId = z.number().int().positive();
export const ZPage = z.number().int().min(1);
export const ZPageSize = z.number().int().min(1).max(100);
export const ZDir = z.enum(["asc", "desc"]);
export const ZFraction = z.number().min(0).max(1);

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function toDate(value: Date | string, ctx: z.RefinementCtx): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: `not a date: ${String(value)}` });
    return z.NEVER;
  }
  return date;
}

const ZDateLike = z.union([z.date(), z.string().min(1)]);

/** An inclusive lower bound: a Date or an ISO date(-time) string. */
export const ZDateFrom = ZDateLike.transform(toDate);

/**
 * An inclusive upper bound turned into an exclusive one: a date without a time means through the
 * end of that day (UTC), so `createdTo: "2026-11-27"` includes runs created that day.
 */
export const ZDateTo = ZDateLike.transform((value, ctx) => {
  const date = toDate(value, ctx);
  return new Date(date.getTime() + (typeof value === "string" && DAY_ONLY.test(value) ? DAY_MS : 1));
});

/** Rejects min > max for the optional bounds named. */
export function boundsInOrder<K extends string>(min: K, max: K) {
  return (input: Partial<Record<K, unknown>>, ctx: z.RefinementCtx) => {
    const lo = input[min];
    const hi = input[max];
    if (typeof lo === "number" && typeof hi === "number" && lo > hi) {
      ctx.addIssue({ code: "custom", path: [max], message: `${max} (${hi}) is below ${min} (${lo})` });
    }
  };
}

/** A monitoring window: "week" (default), "month" or a number of days such as "14d". */
export const ZTimeWindow = z
  .string()
  .max(8)
  .default("week")
  .transform((text, ctx) => {
    try {
      return parseTimeWindow(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });
