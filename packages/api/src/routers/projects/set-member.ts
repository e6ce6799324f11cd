import { projectMembers, setMember } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { membershipErrors } from "./membership-errors.ts";
import { ZSetMemberInput } from "./set-member.types.ts";

/** Adds an account to the project by email, or changes its role there. */
export const setMemberRoute = operationProcedure("projects.setMember")
  .input(ZSetMemberInput)
  .mutation(async ({ ctx, input }) => {
    ctx.access.require(input.projectId);
    const before = (await projectMembers(ctx.store, input.projectId)).find((m) => m.email === input.email);
    const member = await membershipErrors(() =>
      setMember(ctx.store, input.projectId, input.email, input.role),
    );
    await ctx.audit({
      action: "member.set",
      targetType: "user",
      targetId: member.userId,
      projectId: input.projectId,
      details: { email: member.email, role: member.role, previousRole: before?.role ?? null },
    });
    return member;
  });
