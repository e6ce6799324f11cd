import { listDatasetVersions } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { ZListDatasetsInput } from "./list.types.ts";

export const listDatasetsRoute = operationProcedure("datasets.list")
  .input(ZListDatasetsInput.optional())
  .query(({ ctx, input }) => {
    if (input?.projectId !== undefined) ctx.access.require(input.projectId);
    return listDatasetVersions(ctx.store, {
      projectIds: input?.projectId !== undefined ? [input.projectId] : ctx.access.projectIds,
    });
  });
