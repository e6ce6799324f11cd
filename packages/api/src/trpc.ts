import type { Operation } from "@cxrlab/validators/roles";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { AccessDenied, operationAccess } from "./auth/access.ts";
import { auditAs } from "./auth/audit.ts";
import type { Context } from "./context.ts";

const t = initTRPC.context<Context>().create({
  // Dates, Infinity (ROC thresholds) and NaN survive the wire; the client must use superjson too.
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      // tRPC's own message for an input the schema refused is the issues as raw JSON: say it as
      // the procedures' own schema refusals do (a line per issue, then the field).
      message: error.cause instanceof ZodError ? z.prettifyError(error.cause) : shape.message,
      data: {
        ...shape.data,
        // Which input fields were wrong, for forms and for callers reading the error.
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A refused access as tRPC's FORBIDDEN (403); any other error as it is. */
const asForbidden = (err: unknown) =>
  err instanceof AccessDenied ? new TRPCError({ code: "FORBIDDEN", message: err.message }) : err;

/**
 * The procedure for `operation` of core's role table: 401 for an anonymous caller, 403 for one who
 * holds the operation's permission in no project or is still on a one-time password. The procedure
 * itself calls `ctx.access.require` with the project of what it touches (403 otherwise) and
 * `ctx.audit` for changes and patient views.
 */
export function operationProcedure(operation: Operation) {
  return t.procedure.use(async ({ ctx, next }) => {
    const { viewer } = ctx;
    if (!viewer) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
    const access = await operationAccess(ctx.store, viewer, operation).catch((err) => {
      throw asForbidden(err);
    });
    const audit = auditAs(ctx.store, viewer, ctx.headers);
    const result = await next({ ctx: { viewer, access, audit } });
    if (!result.ok && result.error.cause instanceof AccessDenied) throw asForbidden(result.error.cause);
    return result;
  });
}
