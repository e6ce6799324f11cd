import { appendAuditEvent, revokeAllApiTokens, type Store } from "@cxrlab/db";
import { sharedStore } from "../context.ts";
import { getAuth } from "./auth.ts";
import {
  expiredOneTimePassword,
  ONE_TIME_PASSWORD_EXPIRED,
  oneTimePasswordExpiredResponse,
} from "./one-time-password.ts";
import { requestOrigin } from "./viewer.ts";

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
  const origin = requestOrigin(request.headers);
  if (session && response.ok && (route === "/change-password" || route === "/revoke-sessions")) {
    // Whoever held the old password, or a device signed out everywhere, may hold a token too.
    const revokedTokens = await revokeAllApiTokens(store, session.user.id);
    // Written here, once, when the library has changed the password: never on a client's word.
    await appendAuditEvent(store, {
      actorId: session.user.id,
      actorEmail: session.user.email,
      action: route === "/change-password" ? "account.password.change" : "account.sessions.revoke",
      targetType: "user",
      targetId: session.user.id,
      ...origin,
      details: { revokedTokens },
    });
  }
  if (route !== "/sign-in/email") return response;
  if (!response.ok) {
    // The library makes no session for a disabled account, after it has verified the password.
    const { code } = (await response
      .clone()
      .json()
      .catch(() => ({}))) as { code?: string };
    const disabled =
      code === "FAILED_TO_CREATE_SESSION" &&
      email !== null &&
      Boolean(
        (await store.prisma.user.findUnique({ where: { email }, select: { disabledAt: true } }))?.disabledAt,
      );
    await signInFailed(
      store,
      email,
      origin,
      disabled ? ACCOUNT_DISABLED : (code ?? `HTTP ${response.status}`),
    );
    return disabled ? accountDisabledResponse() : response;
  }
  // Checked after the library has verified the password, so a refusal tells nothing to a guesser;
  // the session it made is ended and its cookie never sent.
  const { token, user } = (await response.clone().json()) as {
    token: string;
    user: { id: string; email: string };
  };
  const expired = await expiredOneTimePassword(store, user.id);
  if (!expired) {
    await appendAuditEvent(store, {
      actorId: user.id,
      actorEmail: user.email,
      action: "auth.sign-in",
      targetType: "user",
      targetId: user.id,
      ...origin,
    });
    return response;
  }
  await (await auth.$context).internalAdapter.deleteSession(token);
  await signInFailed(store, email, origin, ONE_TIME_PASSWORD_EXPIRED);
  return oneTimePasswordExpiredResponse(expired);
}

/**
 * A refused sign-in in the audit log: the email tried (in the details, as it may name no account),
 * the client address and why (the library's code: wrong password, rate limit…), never the password.
 */
async function signInFailed(
  store: Store,
  email: string | null,
  origin: { ip: string | null; userAgent: string | null },
  reason: string,
): Promise<void> {
  await appendAuditEvent(store, {
    action: "auth.sign-in.fail",
    targetType: "user",
    ...origin,
    details: { email, reason },
  });
}

/** /api/auth/* on the process-wide store (the dashboard's route). */
export async function handleAuth(request: Request): Promise<Response> {
  return serveAuth(await sharedStore(), request);
}
