import { TRPCError } from "@trpc/server";
import { forbidden, notFound, redirect } from "next/navigation";

/**
 * The procedure's result; Next's 404 page when the procedure says NOT_FOUND, its 403 page when the
 * viewer's role does not allow it, the sign-in page when the session ended.
 */
export async function orErrorPage<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    if (error instanceof TRPCError && error.code === "FORBIDDEN") forbidden();
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") redirect("/sign-in");
    throw error;
  }
}

/** A positive integer route parameter, or the 404 page. */
export function idParam(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) notFound();
  return id;
}
