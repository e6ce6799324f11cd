import { listRuns } from "@cxrlab/db";
import { publicProcedure } from "../../trpc.ts";
import { ZListRunsInput } from "./list.types.ts";

export const listRunsRoute = publicProcedure
  .input(ZListRunsInput.optional())
  .query(({ ctx, input }) => {
    const { createdTo, q, ...rest } = input ?? ZListRunsInput.parse({});
    return listRuns(ctx.store, {
      ...rest,
      ...(q ? { q } : {}),
      ...(createdTo ? { createdBefore: createdTo } : {}),
    });
  });
