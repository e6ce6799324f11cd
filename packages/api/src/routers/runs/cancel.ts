import { getRun } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { found } from "../../not-found.ts";
import { CancelRefused, cancelAuditEntry, cancelRun } from "../../queue/cancel-run.ts";
import { sharedQueue } from "../../queue/shared-queue.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZCancelRunInput } from "./cancel.types.ts";

export const cancelRunRoute = operationProcedure("runs.cancel")
  .input(ZCancelRunInput)
  .mutation(async ({ ctx, input }) => {
    const run = found(await getRun(ctx.store, input.id), `run ${input.id}`);
    ctx.access.require(run.projectId);
    const cancelled = await cancelRun(ctx.store, await sharedQueue(ctx.store), run).catch((err: unknown) => {
      if (err instanceof CancelRefused) throw new TRPCError({ code: "CONFLICT", message: err.message });
      throw err;
    });
    await ctx.audit(cancelAuditEntry(run, cancelled));
    return cancelled;
  });
