/** Query strings of the pages' links; safe for client components (no server imports). */

export type SearchParams = Record<string, string | string[] | undefined>;

/** `path` with the current query changed: null or "" removes a key; `page` resets unless given. */
export function hrefWith(
  path: string,
  params: SearchParams,
  changes: Record<string, string | number | null>,
): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (key in changes || (key === "page" && !("page" in changes))) continue;
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, v);
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value !== null && value !== "" && !(key === "page" && value === 1)) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A base no real request has, to tell same-site paths from addresses elsewhere. */
const LOCAL = "http://cxrlab.invalid";

/**
 * `raw` as a path of this dashboard, else `fallback`: a `next` pointing elsewhere (`//evil.example`,
 * `/\evil.example`, `/\t/evil.example`, which browsers read as another host) would make the sign-in
 * page an open redirect. Parsed the way the browser will parse it, not matched by prefix.
 */
export function safeNext(raw: string | undefined, fallback = "/runs"): string {
  if (!raw?.startsWith("/")) return fallback;
  try {
    const url = new URL(raw, LOCAL);
    return url.origin === LOCAL ? url.pathname + url.search + url.hash : fallback;
  } catch {
    return fallback;
  }
}
