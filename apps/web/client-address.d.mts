import type { BlockList } from "node:net";

/** A BlockList of the trusted proxies: addresses and CIDR ranges, IPv4 or IPv6; throws on anything else. */
export function proxyList(entries: readonly string[]): BlockList;

/** The client's address: the socket's, or behind trusted proxies the nearest untrusted hop of X-Forwarded-For. */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trusted: BlockList,
): string;
