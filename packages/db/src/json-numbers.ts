import type { Prisma } from "./generated/sqlite/client.ts";

// JSON has no Infinity or NaN (ROC curves start at threshold Infinity; undefined AUCs are NaN), so
// numeric JSON columns store them as these strings and read them back as numbers.
const NON_FINITE: Record<string, number> = {
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
  NaN: Number.NaN,
};

export function encodeNumbers(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(
    JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)),
  ) as Prisma.InputJsonValue;
}

export function decodeNumbers<T>(value: unknown): T {
  if (typeof value === "string" && value in NON_FINITE) return NON_FINITE[value] as T;
  if (Array.isArray(value)) return value.map((v) => decodeNumbers(v)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNumbers(v)])) as T;
  }
  return value as T;
}
