import { listProjects } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";

/** Who is signed in, their projects with their role in each, and whether they must change their password. */
export const meRoute = operationProcedure("account.me").query(async ({ ctx }) => {
  const { userId, email, name, mustChangePassword, via } = ctx.viewer;
  return {
    user: { id: userId, email, name },
    mustChangePassword,
    via,
    memberships: await listProjects(ctx.store, userId),
  };
});
