import { worklist } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { ZWorklistInput } from "./worklist.types.ts";

export const worklistRoute = operationProcedure("reviews.worklist")
  .input(ZWorklistInput)
  .query(async ({ ctx, input }) => {
    const { projectId, to, ...query } = input;
    ctx.access.require(projectId);
    const result = await worklist(ctx.store, {
      ...query,
      projectId,
      before: to,
      reviewerId: ctx.viewer.userId,
    });
    // The list names patients: a view of patient data.
    await ctx.audit({
      action: "patient.worklist",
      targetType: "patient",
      targetId: [...new Set(result.items.map((i) => i.patient.id))].join(",") || undefined,
      projectId,
      details: {
        runId: result.run?.id ?? null,
        status: query.status,
        page: query.page,
        results: result.items.length,
      },
    });
    return result;
  });
