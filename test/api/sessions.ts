// Signing in for HTTP-level tests: real sessions through the accounts library's own endpoints, so
// requests carry the cookie a browser would.
import { serveAuth } from "@cxrlab/api/auth";
import type { Store } from "@cxrlab/db";
import type { Role } from "@cxrlab/validators/roles";
import { type TestAccount, testAccount } from "./accounts.ts";

export const ORIGIN = "http://localhost:3000";

/**
 * POSTs JSON to /api/auth/<path> as the dashboard's own pages do (same Origin, optional cookie).
 * `headers`: e.g. an X-Forwarded-For of its own, for a test that signs in more often than the
 * rate limit lets one client.
 */
export function authRequest(
  store: Store,
  route: string,
  body: unknown,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return serveAuth(
    store,
    new Request(`${ORIGIN}/api/auth/${route}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Origin: ORIGIN,
        ...(cookie && { Cookie: cookie }),
        ...headers,
      },
      body: JSON.stringify(body),
    }),
  );
}

/** The Cookie header a browser sends after `response` (its Set-Cookie name=value pairs). */
export function cookieFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** Signs in with email and password: the session cookie, or an error naming the status. */
export async function signIn(
  store: Store,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await authRequest(store, "sign-in/email", { email, password }, undefined, headers);
  if (!response.ok) throw new Error(`sign-in as ${email}: ${response.status} ${await response.text()}`);
  return cookieFrom(response);
}

/** A new account with `role` in `project`, signed in: the account and the Cookie header its browser would send. */
export async function signedInAs(
  store: Store,
  role: Role,
  project: string,
): Promise<{ account: TestAccount; cookie: string }> {
  const account = await testAccount(store, role, [project]);
  return { account, cookie: await signIn(store, account.email, account.password) };
}
