import { isTrustedOrigin } from "./origins.ts";
import { HttpError } from "./responses.ts";

/**
 * Cross-site request forgery guard for state-changing requests: a browser names the page that sent
 * a request in Origin (or, older ones, says "cross-site" in Sec-Fetch-Site), and a form on another
 * site must not act with the session cookie. A request with neither header comes from no browser,
 * so it must prove itself with an API token, never a cookie the browser attached on its own.
 */
export function requireSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (!isTrustedOrigin(request, origin))
      throw new HttpError(
        403,
        `request from ${origin} refused: not an address this dashboard is served at (CXRLAB_PUBLIC_URL)`,
      );
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
