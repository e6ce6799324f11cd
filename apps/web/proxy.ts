import { type NextRequest, NextResponse } from "next/server";

/**
 * Sends page requests without a session cookie to the sign-in page. Only a first, optimistic
 * filter: pages and API routes check the session (and the role) on the server themselves.
 */
export function proxy(request: NextRequest): NextResponse {
  const hasSession = request.cookies.getAll().some((c) => c.name.endsWith("session_token"));
  if (hasSession) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = "";
  const next = request.nextUrl.pathname + request.nextUrl.search;
  if (next !== "/") url.searchParams.set("next", next);
  return NextResponse.redirect(url);
}

export const config = {
  // Every page except sign-in; API routes answer 401 themselves; Next's assets and the icon are public.
  matcher: ["/((?!api/|sign-in|_next/|icon\\.svg|favicon\\.ico).*)"],
};
