import { predictionReviewProject, ReviewRefused, submitReview } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZSubmitReviewInput } from "./submit.types.ts";

export const submitReviewRoute = operationProcedure("reviews.submit")
  .input(ZSubmitReviewInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = found(
      await predictionReviewProject(ctx.store, input.predictionId),
      `prediction ${input.predictionId} of an archive image`,
    );
    ctx.access.require(projectId);
    const { review, previous } = await submitReview(ctx.store, {
      ...input,
      reviewerId: ctx.viewer.userId,
    }).catch((error) => {
      if (error instanceof ReviewRefused)
        throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
      throw error;
    });
    await ctx.audit({
      action: previous ? "review.update" : "review.create",
      targetType: "image",
      targetId: String(review.imageId),
      projectId,
      details: {
        reviewId: review.id,
        label: review.label,
        comment: review.comment,
        predictionId: review.predictionId,
        runId: review.runId,
        predictedLabel: review.predictedLabel,
        ...(previous ? { previousLabel: previous.label, previousComment: previous.comment } : {}),
      },
    });
    return review;
  });
