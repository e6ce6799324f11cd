/** What the accounts library (/api/auth/*) answered to a refused request. */
export interface AccountsRefusal {
  status: number;
  /** The library's error code (e.g. INVALID_ORIGIN), when its body had one. */
  code?: string | undefined;
  /** Seconds until the rate limit lets the client try again (X-Retry-After). */
  retryAfter?: number | undefined;
  /** The server's own words, for refusals whose code says they are meant for people. */
  message?: string | undefined;
}

/** Refusals of ours (not the library's) whose message tells the person what to do. */
const SAYS_WHAT_TO_DO = new Set(["ONE_TIME_PASSWORD_EXPIRED"]);

/** The refusal in `response`: its status, the body's error code and the rate limit's retry delay. */
export async function readRefusal(response: Response): Promise<AccountsRefusal> {
  const body = (await response.json().catch(() => null)) as { code?: unknown; message?: unknown } | null;
  const retryAfter = Number(response.headers.get("X-Retry-After") ?? Number.NaN);
  return {
    status: response.status,
    code: typeof body?.code === "string" ? body.code : undefined,
    retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    message: typeof body?.message === "string" ? body.message : undefined,
  };
}

/**
 * A form's message for a refusal that is not about the credentials themselves (each form words
 * those): too many attempts and when to retry, a refused address and what to configure, a server
 * error, else the status. `origin` is the address the page was opened at (window.location.origin).
 */
export function accountsFailure(
  refusal: AccountsRefusal,
  { action, origin, now = new Date() }: { action: string; origin: string; now?: Date },
): string {
  const { status, code, retryAfter, message } = refusal;
  if (code && SAYS_WHAT_TO_DO.has(code) && message) return `${message[0]!.toUpperCase()}${message.slice(1)}.`;
  if (status === 429) {
    if (retryAfter === undefined)
      return "Too many attempts from this address: wait a minute, then try again.";
    const at = new Date(now.getTime() + retryAfter * 1000).toLocaleTimeString("en-GB", { hour12: false });
    const wait = retryAfter === 1 ? "1 second" : `${Math.ceil(retryAfter)} seconds`;
    return `Too many attempts from this address: try again in ${wait} (at ${at}).`;
  }
  if (code === "INVALID_ORIGIN" || code === "MISSING_OR_NULL_ORIGIN")
    return (
      `This dashboard refuses ${action} from ${origin}: it is not an address the dashboard is served at. ` +
      "Open the address `cxrlab serve` printed; a team server trusts exactly the addresses in " +
      "CXRLAB_PUBLIC_URL (comma-separated), so its admin adds this one there and restarts it."
    );
  if (status >= 500)
    return `The server failed (error ${status}) during ${action}. Try again; if it persists, the dashboard's log says why.`;
  return `The ${action} was refused (${status}${code ? ` ${code}` : ""}).`;
}
