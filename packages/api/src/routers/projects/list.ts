import { listProjects } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";

/** The projects the viewer belongs to, with their role in each. */
export const listProjectsRoute = operationProcedure("projects.list").query(({ ctx }) =>
  listProjects(ctx.store, ctx.viewer.userId),
);
