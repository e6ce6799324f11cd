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
