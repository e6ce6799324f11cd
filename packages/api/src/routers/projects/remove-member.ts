import { removeMember } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { membershipErrors } from "./membership-errors.ts";
import { ZRemoveMemberInput } from "./remove-member.types.ts";

/** Removes an account from the project; its last admin stays. */
export const removeMemberRoute = operationProcedure("projects.removeMember")
  .input(ZRemoveMemberInput)
  .mutation(async ({ ctx, input }) => {
    ctx.access.require(input.projectId);
    const removed = await membershipErrors(() => removeMember(ctx.store, input.projectId, input.userId));
    await ctx.audit({
      action: "member.remove",
      targetType: "user",
      targetId: removed.userId,
      projectId: input.projectId,
      details: { email: removed.email, role: removed.role },
    });
    return removed;
  });
