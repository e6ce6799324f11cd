import { revokeAllApiTokens, type Store } from "@cxrlab/db";
import { sharedStore } from "../context.ts";
import { getAuth } from "./auth.ts";
import { expiredOneTimePassword, oneTimePasswordExpiredResponse } from "./one-time-password.ts";

export const ACCOUNT_DISABLED = "ACCOUNT_DISABLED";

/** 403 for a right password of a disabled account, in the accounts library's error shape. */
function accountDisabledResponse(): Response {
  return Response.json(
    { code: ACCOUNT_DISABLED, message: "this account is disabled: ask an admin (cxrlab users enable)" },
    { status: 403, headers: { "Cache-Control": "no-store" } },
  );
}

/** The email a sign-in request names (its body is JSON), or null. */
async function emailTried(request: Request): Promise<string | null> {
  const body = (await request
    .clone()
    .json()
    .catch(() => null)) as { email?: unknown } | null;
  return typeof body?.email === "string" ? body.email.trim().toLowerCase().slice(0, 320) : null;
}

/**
 * /api/auth/* on `store`: sign-in, sign-out, sessions and password changes, served by the accounts
 * library, except that an expired one-time password neither signs in nor can be changed, a disabled
 * account gets no session, and a password change or sign-out everywhere revokes the account's API
 * tokens too.
 */
export async function serveAuth(store: Store, request: Request): Promise<Response> {
  const auth = getAuth(store);
  const route = new URL(request.url).pathname.replace(/^\/api\/auth/, "");
  const session =
    route === "/change-password" || route === "/revoke-sessions"
      ? await auth.api.getSession({ headers: request.headers })
      : null;
  if (route === "/change-password") {
    // Even from a session made while it was valid: its holder must ask an admin too.
    const expired = session && (await expiredOneTimePassword(store, session.user.id));
    if (expired) return oneTimePasswordExpiredResponse(expired);
  }
  const email = route === "/sign-in/email" ? await emailTried(request) : null;
  const response = await auth.handler(request);
  if (session && response.ok && (route === "/change-password" || route === "/revoke-sessions")) {
    // Whoever held the old password, or a device signed out everywhere, may hold a token too.
    await revokeAllApiTokens(store, session.user.id);
  }
  if (route !== "/sign-in/email") return response;
  if (!response.ok) {
    // The library makes no session for a disabled account, after it has verified the password.
    const { code } = (await response
      .clone()
      .json()
      .catch(() => ({}))) as { code?: string };
    if (code === "FAILED_TO_CREATE_SESSION" && email) {
      const user = await store.prisma.user.findUnique({ where: { email }, select: { disabledAt: true } });
      if (user?.disabledAt) return accountDisabledResponse();
    }
    return response;
  }
  // Checked after the library has verified the password, so a refusal tells nothing to a guesser;
  // the session it made is ended and its cookie never sent.
  const { token, user } = (await response.clone().json()) as { token: string; user: { id: string } };
  const expired = await expiredOneTimePassword(store, user.id);
  if (!expired) return response;
  await (await auth.$context).internalAdapter.deleteSession(token);
  return oneTimePasswordExpiredResponse(expired);
}

/** /api/auth/* on the process-wide store (the dashboard's route). */
export async function handleAuth(request: Request): Promise<Response> {
  return serveAuth(await sharedStore(), request);
}
