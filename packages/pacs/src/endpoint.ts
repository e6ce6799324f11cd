import type { PacsSourceRecord } from "@cxrlab/db";
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
 * How to reach `source`: its URL and the Authorization header made from the secret in its
 * environment variable (never stored). A missing variable is an error naming it.
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
  const secret = () => {
    const value = source.secretEnv ? env[source.secretEnv] : undefined;
    if (!value) {
      throw new PacsError(
        `PACS ${source.name}: the environment variable ${source.secretEnv ?? "(none)"} that holds its ${source.authKind === "basic" ? "password" : "token"} is not set`,
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
