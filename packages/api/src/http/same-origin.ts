import { readEnv } from "@cxrlab/core/env";
import { HttpError } from "./responses.ts";

/**
 * Whether `origin` (a browser's Origin header) is the dashboard's own: CXRLAB_PUBLIC_URL's origin when
 * set (behind a reverse proxy), else the host the browser addressed (its Host header). Not the
 * request's URL: Next builds that from the address the server listens on (0.0.0.0, 127.0.0.1), which
 * is not what a browser on the network sees.
 */
function isOwnOrigin(request: Request, origin: string): boolean {
  const publicUrl = readEnv().CXRLAB_PUBLIC_URL;
  if (publicUrl) return origin === new URL(publicUrl).origin;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Cross-site request forgery guard for state-changing requests: a browser names the page that sent
 * a request in Origin (or, older ones, says "cross-site" in Sec-Fetch-Site), and a form on another
 * site must not act with the session cookie. A request with neither header comes from no browser,
 * so it must prove itself with an API token, never a cookie the browser attached on its own.
 */
export function requireSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (!isOwnOrigin(request, origin))
      throw new HttpError(403, `cross-origin request from ${origin} refused`);
    return;
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) {
    if (site !== "same-origin") throw new HttpError(403, `${site} request refused (Sec-Fetch-Site)`);
    return;
  }
  if (!/^Bearer\s/i.test(request.headers.get("authorization") ?? "")) {
    throw new HttpError(
      403,
      "request without Origin refused: browsers send one; other clients use an API token",
    );
  }
}
