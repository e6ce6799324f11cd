import { imageStoreDir } from "@cxrlab/core/paths";
import { createDatasetVersion, DatasetRefused, datasetCreatedEvent } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZCreateDatasetInput } from "./create.types.ts";

/** `cxrlab datasets create NAME --from-reviews` through the API: the new version, or the identical one. */
export const createDatasetRoute = operationProcedure("datasets.create")
  .input(ZCreateDatasetInput)
  .mutation(async ({ ctx, input }) => {
    ctx.access.require(input.projectId);
    const project = found(
      await ctx.store.prisma.project.findUnique({ where: { id: input.projectId }, select: { name: true } }),
      `project ${input.projectId}`,
    );
    const outcome = await createDatasetVersion(ctx.store, {
      project: project.name,
      name: input.name,
      fromReviews: { minReviewers: input.minReviewers },
      imageStore: imageStoreDir(),
      createdById: ctx.viewer.userId,
    }).catch((error) => {
      if (error instanceof DatasetRefused)
        throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
      throw error;
    });
    if (outcome.created) await ctx.audit(datasetCreatedEvent(outcome));
    return outcome;
  });
