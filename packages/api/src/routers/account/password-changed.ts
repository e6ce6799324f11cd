import { operationProcedure } from "../../trpc.ts";

/**
 * Says whether a new password is still due, after the dashboard changed the viewer's password (POST
 * /api/auth/change-password answers the browser itself, as it replaces the session cookie). It
 * records nothing and clears nothing: the server audits the change (serveAuth) and the accounts
 * library clears the one-time-password flag when the password itself changes.
 */
export const passwordChangedRoute = operationProcedure("account.passwordChanged").mutation(
  async ({ ctx }) => {
    const { mustChangePassword } = await ctx.store.prisma.user.findUniqueOrThrow({
      where: { id: ctx.viewer.userId },
      select: { mustChangePassword: true },
    });
    return { mustChangePassword };
  },
);
