import { listComments } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRunCommentsInput } from "./comments.types.ts";

export const runCommentsRoute = operationProcedure("runs.comments")
  .input(ZRunCommentsInput)
  .query(async ({ ctx, input }) => {
    await requireRun(ctx, input.id);
    return listComments(ctx.store, input.id);
  });
