import { readEnv } from "@cxrlab/core/env";

/** The names a browser may use for this machine's loopback interface. */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"] as const;

/** Whether `host` (a --host value or a URL's hostname) only reaches this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The origins of CXRLAB_PUBLIC_URL (a team server's addresses as browsers see them), or null when unset or empty. */
export function publicOrigins(): string[] | null {
  const urls = readEnv().CXRLAB_PUBLIC_URL ?? [];
  return urls.length ? [...new Set(urls.map((url) => new URL(url).origin))] : null;
}

/** Every loopback spelling of `port` over plain HTTP: what a browser on this machine may address. */
export function loopbackOrigins(port: number | string): string[] {
  return LOOPBACK_HOSTS.map((host) => `http://${host}:${port}`);
}

/**
 * The origins whose pages may sign in and post forms: exactly CXRLAB_PUBLIC_URL's when it is set
 * (a team server), else the loopback spellings of the port the request came in on (one machine).
 * The port is the server's own (Next builds `request.url` from the address it listens on), never a
 * client's Host header, so a page that re-points its own name at this machine (DNS rebinding) is
 * not trusted.
 */
export function trustedOrigins(request: Request): string[] {
  const configured = publicOrigins();
  if (configured) return configured;
  const url = new URL(request.url);
  return loopbackOrigins(url.port || (url.protocol === "https:" ? 443 : 80));
}

/** Whether a browser's Origin header names a trusted origin for `request`. */
export function isTrustedOrigin(request: Request, origin: string): boolean {
  return trustedOrigins(request).includes(origin.toLowerCase());
}
