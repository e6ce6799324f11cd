import { addComment, CommentRefused } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZAddCommentInput } from "./add-comment.types.ts";

export const addCommentRoute = operationProcedure("runs.addComment")
  .input(ZAddCommentInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const comment = await addComment(ctx.store, {
      runId: input.id,
      authorId: ctx.viewer.userId,
      body: input.body,
    }).catch((error) => {
      if (error instanceof CommentRefused)
        throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
      throw error;
    });
    await ctx.audit({
      action: "run.comment",
      targetType: "run",
      targetId: String(input.id),
      projectId,
      details: { commentId: comment.id, mentions: comment.mentions.map((u) => u.email) },
    });
    return comment;
  });
