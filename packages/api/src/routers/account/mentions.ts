import { mentionsOf } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";

/** The comments that mention the viewer, newest first, on runs of projects they may still read. */
export const mentionsRoute = operationProcedure("account.mentions").query(({ ctx }) =>
  mentionsOf(ctx.store, ctx.viewer.userId, {
    projectIds: ctx.access.projectIds.filter((id) => ctx.access.can("runs:read", id)),
  }),
);
