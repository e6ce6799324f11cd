import type { Store } from "@cxrlab/db";
import { authenticateApiToken } from "@cxrlab/db";
import { getAuth } from "./auth.ts";

/** The account a request acts for. */
export interface Viewer {
  userId: string;
  email: string;
  name: string;
  /** Signed in with a generated one-time password not yet replaced. */
  mustChangePassword: boolean;
  /** How the request proved it: the dashboard's session cookie, or an API token (CLI, trainer). */
  via: "session" | "token";
}

/** Who sent these headers: an `Authorization: Bearer cxr_…` API token, else a session cookie; null if neither is valid. */
export async function resolveViewer(store: Store, headers: Headers): Promise<Viewer | null> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer) {
    // A wrong token is an anonymous request, even when a cookie came along.
    const token = await authenticateApiToken(store, bearer);
    if (!token) return null;
    const user = await store.prisma.user.findUnique({
      where: { id: token.userId },
      select: { id: true, email: true, name: true, mustChangePassword: true },
    });
    // authenticateApiToken has refused a disabled account's token already.
    return (
      user && {
        userId: user.id,
        email: user.email,
        name: user.name,
        mustChangePassword: user.mustChangePassword,
        via: "token",
      }
    );
  }
  if (!headers.get("cookie")) return null;
  const session = await getAuth(store).api.getSession({ headers });
  if (!session) return null;
  const { user } = session;
  // Disabling deletes the account's sessions; this covers one made while it was being disabled.
  const state = await store.prisma.user.findUnique({ where: { id: user.id }, select: { disabledAt: true } });
  if (!state || state.disabledAt) return null;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    mustChangePassword: Boolean((user as { mustChangePassword?: boolean }).mustChangePassword),
    via: "session",
  };
}

/**
 * Where a request came from, for the audit log. The dashboard's server (apps/web/server.mjs) sets
 * X-Forwarded-For to the one client address it resolved from the connection, whatever the client
 * sent; the accounts library's rate limit reads the same header.
 */
export function requestOrigin(headers: Headers): { ip: string | null; userAgent: string | null } {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { ip: forwarded || null, userAgent: headers.get("user-agent") };
}
