import { operationProcedure } from "../../trpc.ts";

/**
 * Records in the audit log that the dashboard changed the viewer's password (POST
 * /api/auth/change-password answers the browser itself, as it replaces the session cookie) and
 * says whether a new password is still due. It cannot clear the one-time-password flag: the
 * accounts library does that when the password itself changes.
 */
export const passwordChangedRoute = operationProcedure("account.passwordChanged").mutation(
  async ({ ctx }) => {
    const { mustChangePassword } = await ctx.store.prisma.user.findUniqueOrThrow({
      where: { id: ctx.viewer.userId },
      select: { mustChangePassword: true },
    });
    await ctx.audit({ action: "account.password.change", targetType: "user", targetId: ctx.viewer.userId });
    return { mustChangePassword };
  },
);
