import { isIP } from "node:net";

/** True for `localhost`, 127.0.0.0/8 and ::1: a connection that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.split(".")[0] === "127";
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * The origin `cxrlab login --server` talks to. A bare host means https (a loopback host: http, as
 * `cxrlab serve` answers); plain http is refused, since the password and the API token would cross
 * the network readable, unless the server is this machine or `insecure` is set.
 */
export function serverUrl(value: string, { insecure = false } = {}): string {
  const bare = !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  let url: URL;
  try {
    url = new URL(bare ? `https://${value}` : value);
  } catch {
    throw new Error(`--server ${value}: not an address (e.g. https://cxrlab.hospital.org)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(`--server ${value}: expected an http(s) address, e.g. https://cxrlab.hospital.org`);
  if (bare && isLoopbackHost(url.hostname)) url.protocol = "http:";
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && !insecure) {
    const https = new URL(url.origin);
    https.protocol = "https:";
    throw new Error(
      `--server ${url.origin}: refusing plain http to another machine, which would send your password and ` +
        `API token unencrypted. Use ${https.origin}, or add --insecure if you must (a trusted network only).`,
    );
  }
  return url.origin;
}
