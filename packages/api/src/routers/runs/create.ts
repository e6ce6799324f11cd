import { DataRootRefused, resolveInDataRoots } from "@cxrlab/core/data-roots";
import { DatasetRefused } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { ZodError, ZodRealError, z } from "zod";
import { queueRun } from "../../queue/queue-run.ts";
import { sharedQueue } from "../../queue/shared-queue.ts";
import { operationProcedure } from "../../trpc.ts";
import { type CreateRunInput, ZCreateRunInput } from "./create.types.ts";

/** A refusal reported under the form field it concerns, as the config schema's are. */
function fieldError(field: string, message: string): TRPCError {
  const issues = new ZodRealError([{ code: "custom", path: [field], message, input: undefined }]);
  return new TRPCError({ code: "BAD_REQUEST", message: z.prettifyError(issues), cause: issues });
}

/**
 * The dataset folders must lie inside CXRLAB_DATA_ROOTS (real paths, symlinks followed): a run's
 * test images become images its project may view, so a folder elsewhere on the server (the
 * thumbnail cache, the patient archive's content store) would expose them. The refusal says the
 * same for a folder that exists and one that does not. The worker checks again when it starts.
 */
async function requireDataRoots(input: CreateRunInput): Promise<void> {
  try {
    await resolveInDataRoots([
      ...(input.data !== undefined ? [{ field: "data", path: input.data }] : []),
      ...(input.test !== undefined ? [{ field: "test", path: input.test }] : []),
    ]);
  } catch (err) {
    if (err instanceof DataRootRefused) throw fieldError(err.field, err.reason);
    throw err;
  }
}

export const createRunRoute = operationProcedure("runs.create")
  .input(ZCreateRunInput)
  .mutation(async ({ ctx, input }) => {
    const { projectId, ...options } = input;
    ctx.access.require(projectId);
    await requireDataRoots(input);
    const queued = await queueRun(ctx.store, await sharedQueue(ctx.store), {
      projectId,
      createdById: ctx.viewer.userId,
      options,
    }).catch((err: unknown) => {
      // An override the config schema refuses is the caller's mistake, reported per field.
      if (err instanceof ZodError)
        throw new TRPCError({ code: "BAD_REQUEST", message: z.prettifyError(err), cause: err });
      if (err instanceof DatasetRefused) throw fieldError("dataset", err.message);
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
