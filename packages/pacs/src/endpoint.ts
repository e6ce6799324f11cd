import { openPacsSecret, type PacsSourceRecord } from "@cxrlab/db";
import { type DicomWebEndpoint, PacsError } from "./dicomweb-client.ts";

/** Seconds a request to a PACS may take, body included, unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** Matches asked for per QIDO-RS request unless --page-size says otherwise. */
export const DEFAULT_PAGE_SIZE = 100;
/** Matches one search may have before it stops with an error, unless --max-matches says otherwise. */
export const DEFAULT_MAX_MATCHES = 10_000;

export interface ConnectOptions {
  timeoutSeconds?: number;
  pageSize?: number;
  maxMatches?: number;
}

/**
 * How to reach `source`: its URL and the Authorization header made from its secret, stored sealed
 * or read from its environment variable. A missing variable, or a stored secret that does not open
 * (the server's secret changed), is an error naming the source.
 */
export function endpointOf(
  source: PacsSourceRecord,
  {
    timeoutSeconds = DEFAULT_TIMEOUT_SECONDS,
    pageSize = DEFAULT_PAGE_SIZE,
    maxMatches = DEFAULT_MAX_MATCHES,
  }: ConnectOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): DicomWebEndpoint {
  const what = source.authKind === "basic" ? "password" : "token";
  const secret = () => {
    if (source.secretSealed) {
      const opened = openPacsSecret(source);
      if (opened === null)
        throw new PacsError(
          `PACS ${source.name}: its stored ${what} does not open with this server's secret (CXRLAB_AUTH_SECRET, or the auth-secret file, changed since it was stored); add the source again (cxrlab pacs remove ${source.name}, then cxrlab pacs add)`,
          "credentials",
        );
      return opened;
    }
    const value = source.secretEnv ? env[source.secretEnv] : undefined;
    if (!value) {
      throw new PacsError(
        `PACS ${source.name}: the environment variable ${source.secretEnv ?? "(none)"} that holds its ${what} is not set`,
        "credentials",
      );
    }
    return value;
  };
  const authorization =
    source.authKind === "bearer"
      ? `Bearer ${secret()}`
      : source.authKind === "basic"
        ? `Basic ${Buffer.from(`${source.username ?? ""}:${secret()}`).toString("base64")}`
        : null;
  return {
    name: source.name,
    url: source.url,
    authorization,
    timeoutMs: timeoutSeconds * 1000,
    pageSize,
    maxMatches,
  };
}
