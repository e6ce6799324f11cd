import { TRPCError } from "@trpc/server";
import { AccessDenied } from "../auth/access.ts";

/** Content-addressed responses: private, cached for a year, never revalidated while fresh. */
export const IMMUTABLE = "private, max-age=31536000, immutable";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Sent with the error response, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A plain-text error response; HttpErrors keep their status, a refused access is 403, anything else
 * 500. Only the messages written for clients (HttpError, AccessDenied, NOT_FOUND) are sent: they name
 * no server path. Any other error's message can (a file system or library error names its files), so
 * a 500 says only that, and the error goes to the server's log.
 */
export function errorResponse(err: unknown): Response {
  const status =
    err instanceof HttpError
      ? err.status
      : err instanceof AccessDenied
        ? 403
        : err instanceof TRPCError && err.code === "NOT_FOUND"
          ? 404
          : 500;
  let message: string;
  if (status === 500) {
    console.error("cxrlab: request failed:", err);
    message = "internal server error (details are in the server's log)";
  } else {
    message = withoutPaths(err instanceof Error ? err.message : String(err));
  }
  return new Response(`${message}\n`, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      ...(err instanceof HttpError ? err.headers : {}),
    },
  });
}

/** Absolute file paths (not part of a word such as `image/png` or a ratio such as `1/2`) in a message. */
const ABSOLUTE_PATH = /(?<![\w.~:/-])(?:[A-Za-z]:)?[/\\][\w.~-]+(?:[/\\][\w.~-]*)*/g;

/** `message` with any absolute file path replaced by "(path)": clients are never told the server's folders. */
export function withoutPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, "(path)");
}

/** Parses a path or query parameter as a positive integer id, else a 400 naming it. */
export function positiveId(value: string | number, what: string): number {
  const id = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1)
    throw new HttpError(400, `${what} must be a positive integer, got "${value}"`);
  return id;
}

/** True when the request's If-None-Match names `etag` (or is "*"); weak validators match too. */
export function matchesEtag(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === etag);
}

export function notModified(etag: string): Response {
  return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": IMMUTABLE } });
}

/** 200 with the bytes and caching headers (no body for HEAD). */
export function bytesResponse(
  request: Request,
  etag: string,
  contentType: string,
  bytes: Uint8Array,
  extraHeaders: Record<string, string> = {},
): Response {
  return new Response(request.method === "HEAD" ? null : new Uint8Array(bytes), {
    status: 200,
    headers: {
      ETag: etag,
      "Cache-Control": IMMUTABLE,
      "Content-Type": contentType,
      "Content-Length": String(bytes.byteLength),
      ...extraHeaders,
    },
  });
}

/** 304 when the client already holds `etag`, else the bytes `body` produces (only then). */
export async function cachedResponse(
  request: Request,
  etag: string,
  contentType: string,
  body: () => Promise<Uint8Array>,
): Promise<Response> {
  if (matchesEtag(request, etag)) return notModified(etag);
  return bytesResponse(request, etag, contentType, await body());
}
