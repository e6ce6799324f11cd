import { MembershipError } from "@cxrlab/db";
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";

const CODES: Record<MembershipError["reason"], TRPC_ERROR_CODE_KEY> = {
  "no-project": "NOT_FOUND",
  "no-account": "NOT_FOUND",
  "not-member": "NOT_FOUND",
  "bad-role": "BAD_REQUEST",
  "last-admin": "PRECONDITION_FAILED",
};

/** Runs a membership change, answering its refusals with the matching tRPC error. */
export async function membershipErrors<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof MembershipError) {
      throw new TRPCError({ code: CODES[error.reason], message: error.message, cause: error });
    }
    throw error;
  }
}
