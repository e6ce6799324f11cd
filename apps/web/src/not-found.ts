import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";

/** The procedure's result, or Next's 404 page when the procedure says NOT_FOUND. */
export async function orNotFound<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

/** A positive integer route parameter, or the 404 page. */
export function idParam(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) notFound();
  return id;
}
