import { runFacets } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";

export const runFacetsRoute = operationProcedure("runs.facets").query(({ ctx }) =>
  runFacets(ctx.store, ctx.access.projectIds),
);
