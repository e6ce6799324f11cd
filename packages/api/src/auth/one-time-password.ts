import type { Store } from "@cxrlab/db";

/** How long a generated one-time password signs in; after that only an admin can issue a new one. */
export const ONE_TIME_PASSWORD_HOURS = 72;

/** The code of the refusal, for the sign-in form and `cxrlab login` to tell it from a wrong password. */
export const ONE_TIME_PASSWORD_EXPIRED = "ONE_TIME_PASSWORD_EXPIRED";

/**
 * When the account's one-time password expired, or null if it is not on one or it is still valid.
 * It was set when its credential row was last written: the accounts library writes that row only
 * to set the password (sign-ins read it), so no column of our own is needed.
 */
export async function expiredOneTimePassword(
  store: Store,
  userId: string,
  now = new Date(),
): Promise<Date | null> {
  const user = await store.prisma.user.findUnique({
    where: { id: userId },
    select: {
      mustChangePassword: true,
      accounts: { where: { providerId: "credential" }, select: { updatedAt: true } },
    },
  });
  const setAt = user?.mustChangePassword ? user.accounts[0]?.updatedAt : undefined;
  if (!setAt) return null;
  const expiresAt = new Date(setAt.getTime() + ONE_TIME_PASSWORD_HOURS * 60 * 60 * 1000);
  return expiresAt <= now ? expiresAt : null;
}

/** 403 for a one-time password used after `expiredAt`, in the accounts library's error shape. */
export function oneTimePasswordExpiredResponse(expiredAt: Date): Response {
  return Response.json(
    {
      code: ONE_TIME_PASSWORD_EXPIRED,
      message:
        `this one-time password expired at ${expiredAt.toISOString()} (${ONE_TIME_PASSWORD_HOURS} hours after ` +
        "it was issued): an admin must issue a new one (cxrlab users reset-password --email <your email>)",
    },
    { status: 403, headers: { "Cache-Control": "no-store" } },
  );
}
