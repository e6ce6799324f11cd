import { projectMembers } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { ZProjectMembersInput } from "./members.types.ts";

export const projectMembersRoute = operationProcedure("projects.members")
  .input(ZProjectMembersInput)
  .query(({ ctx, input }) => {
    ctx.access.require(input.projectId);
    return projectMembers(ctx.store, input.projectId);
  });
