import { TRPCError } from "@trpc/server";

/** The value, or a NOT_FOUND error naming what was looked up. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined)
    throw new TRPCError({ code: "NOT_FOUND", message: `${what} not found` });
  return value;
}
