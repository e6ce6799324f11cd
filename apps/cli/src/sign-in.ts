/**
 * Password sign-in at a dashboard through better-auth's HTTP endpoints, for `cxrlab login`: the
 * session only lives long enough to create an API token, then it is signed out.
 */
import { ONE_TIME_PASSWORD_EXPIRED } from "@cxrlab/api/auth";
import { rootCause } from "./remote.ts";

async function authPost(server: string, route: string, body: unknown, cookie?: string): Promise<Response> {
  const url = new URL(`/api/auth/${route}`, server);
  try {
    return await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        // better-auth refuses cross-site form posts; the CLI speaks for the server's own origin.
        origin: url.origin,
        "user-agent": "cxrlab-cli",
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body),
      redirect: "manual",
    });
  } catch (error) {
    throw new Error(`cannot reach ${server}: ${rootCause(error)}`);
  }
}

/** Signs in with email and password; returns the session's Cookie header. */
export async function signInWithPassword(server: string, email: string, password: string): Promise<string> {
  const response = await authPost(server, "sign-in/email", { email, password, rememberMe: false });
  if (response.status === 401 || response.status === 403) {
    const refusal = (await response.json().catch(() => null)) as { code?: string; message?: string } | null;
    // The right password, but a one-time password issued too long ago: saying so is no leak.
    if (refusal?.code === ONE_TIME_PASSWORD_EXPIRED) throw new Error(`${server}: ${refusal.message}`);
    throw new Error(`${server} refused the sign-in: wrong email or password`);
  }
  if (response.status === 429) {
    const wait = response.headers.get("retry-after") ?? response.headers.get("x-retry-after");
    throw new Error(`${server}: too many sign-in attempts${wait ? `, try again in ${wait} s` : ""}`);
  }
  if (!response.ok) {
    const text = (await response.text()).slice(0, 300);
    throw new Error(`${server} answered the sign-in with ${response.status}: ${text}`);
  }
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0]!)
    .join("; ");
  if (!cookie) throw new Error(`${server} signed in but set no session cookie (is it a CXR Lab dashboard?)`);
  return cookie;
}

/** Ends the session (best effort: it expires on its own). */
export async function signOut(server: string, cookie: string): Promise<void> {
  await authPost(server, "sign-out", {}, cookie).catch(() => undefined);
}
