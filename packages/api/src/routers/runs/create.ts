import { TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import { queueRun } from "../../queue/queue-run.ts";
import { sharedQueue } from "../../queue/shared-queue.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZCreateRunInput } from "./create.types.ts";

export const createRunRoute = operationProcedure("runs.create")
  .input(ZCreateRunInput)
  .mutation(async ({ ctx, input }) => {
    const { projectId, ...options } = input;
    ctx.access.require(projectId);
    const queued = await queueRun(ctx.store, await sharedQueue(ctx.store), {
      projectId,
      createdById: ctx.viewer.userId,
      options,
    }).catch((err: unknown) => {
      // An override the config schema refuses is the caller's mistake, reported per field.
      if (err instanceof ZodError)
        throw new TRPCError({ code: "BAD_REQUEST", message: z.prettifyError(err), cause: err });
      throw err;
    });
    await ctx.audit({
      action: "run.create",
      targetType: "run",
      targetId: String(queued.runId),
      projectId,
      details: { jobId: queued.jobId, ...options },
    });
    return queued;
  });
