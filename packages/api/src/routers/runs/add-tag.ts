import { tagRun } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRunTagInput } from "./tag.types.ts";

export const addTagRoute = operationProcedure("runs.addTag")
  .input(ZRunTagInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const tags = await tagRun(ctx.store, input.id, [input.tag]);
    await ctx.audit({
      action: "run.tag",
      targetType: "run",
      targetId: String(input.id),
      projectId,
      details: { tag: input.tag },
    });
    return { id: input.id, tags };
  });
