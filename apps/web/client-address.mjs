// Who sent a request, for the dashboard's server (server.mjs): plain JavaScript, because it runs
// before any of the app's TypeScript is loaded.
import net from "node:net";

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) as `127.0.0.1`. */
function plainAddress(address) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** A BlockList of the trusted proxies: addresses and CIDR ranges, IPv4 or IPv6. */
export function proxyList(entries) {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const family = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (!net.isIP(address)) throw new Error(`trusted proxy ${entry}: not an IP address or CIDR range`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/**
 * The client's address: the socket's, unless the socket is a trusted proxy; then the chain it
 * forwarded is read right to left (each proxy appends the address it got the request from) and
 * the first address that is not a trusted proxy is the client's.
 */
export function clientAddress(socketAddress, forwardedFor, trusted) {
  const isTrusted = (address) =>
    net.isIP(address) !== 0 && trusted.check(address, net.isIPv6(address) ? "ipv6" : "ipv4");
  const socket = plainAddress(socketAddress ?? "");
  if (!isTrusted(socket)) return socket;
  const chain = (forwardedFor ?? "")
    .split(",")
    .map((hop) => plainAddress(hop.trim()))
    .filter((hop) => net.isIP(hop) !== 0);
  for (let i = chain.length - 1; i >= 0; i--) if (!isTrusted(chain[i])) return chain[i];
  return chain[0] ?? socket;
}
