import type { Store } from "@cxrlab/db";
import { sharedStore } from "../context.ts";
import { getAuth } from "./auth.ts";
import { expiredOneTimePassword, oneTimePasswordExpiredResponse } from "./one-time-password.ts";

/**
 * /api/auth/* on `store`: sign-in, sign-out, sessions and password changes, served by the accounts
 * library, except that an expired one-time password neither signs in nor can be changed.
 */
export async function serveAuth(store: Store, request: Request): Promise<Response> {
  const auth = getAuth(store);
  const route = new URL(request.url).pathname.replace(/^\/api\/auth/, "");
  if (route === "/change-password") {
    // Even from a session made while it was valid: its holder must ask an admin too.
    const session = await auth.api.getSession({ headers: request.headers });
    const expired = session && (await expiredOneTimePassword(store, session.user.id));
    if (expired) return oneTimePasswordExpiredResponse(expired);
  }
  const response = await auth.handler(request);
  if (route !== "/sign-in/email" || !response.ok) return response;
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
