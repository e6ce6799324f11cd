import { listRuns } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { ZListRunsInput } from "./list.types.ts";

export const listRunsRoute = operationProcedure("runs.list")
  .input(ZListRunsInput.optional())
  .query(({ ctx, input }) => {
    const { createdTo, q, starred, ...rest } = input ?? ZListRunsInput.parse({});
    return listRuns(ctx.store, {
      ...rest,
      projectIds: ctx.access.projectIds,
      ...(q ? { q } : {}),
      ...(starred ? { starredBy: ctx.viewer.userId } : {}),
      ...(createdTo ? { createdBefore: createdTo } : {}),
    });
  });
