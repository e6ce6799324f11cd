import { describe, expect, it } from "vitest";
import { clientAddress, proxyList } from "../../apps/web/client-address.mjs";

describe("the client address the dashboard's server hands on", () => {
  const none = proxyList([]);

  it("is the connection's own address when no proxy is trusted, whatever the client says", () => {
    expect(clientAddress("203.0.113.7", undefined, none)).toBe("203.0.113.7");
    expect(clientAddress("203.0.113.7", "10.9.9.9", none)).toBe("203.0.113.7");
    expect(clientAddress("::ffff:127.0.0.1", "1.2.3.4, 5.6.7.8", none)).toBe("127.0.0.1");
    expect(clientAddress("::1", "1.2.3.4", none)).toBe("::1");
  });

  it("behind trusted proxies, is the nearest address of the chain that is not one", () => {
    const proxies = proxyList(["10.0.0.2", "192.168.0.0/16", "fd00::/8"]);
    // The proxy appended the address it got the request from; what the client wrote comes first.
    expect(clientAddress("10.0.0.2", "6.6.6.6, 203.0.113.7", proxies)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "203.0.113.7, 192.168.4.5", proxies)).toBe("203.0.113.7");
    expect(clientAddress("fd00::1", "2001:db8::5", proxies)).toBe("2001:db8::5");
    // Junk hops are skipped; a chain of proxies only names its first.
    expect(clientAddress("10.0.0.2", "not-an-ip, 203.0.113.7", proxies)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "192.168.1.1, 192.168.1.2", proxies)).toBe("192.168.1.1");
    expect(clientAddress("10.0.0.2", undefined, proxies)).toBe("10.0.0.2");
    // A client that is not a trusted proxy cannot speak for another.
    expect(clientAddress("10.0.0.3", "203.0.113.7", proxies)).toBe("10.0.0.3");
  });

  it("refuses a proxy entry that is no address", () => {
    expect(() => proxyList(["proxy.example"])).toThrow(
      "trusted proxy proxy.example: not an IP address or CIDR range",
    );
  });
});
