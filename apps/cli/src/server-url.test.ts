import { describe, expect, it } from "vitest";
import { serverUrl } from "./server-url.ts";

describe("cxrlab login --server", () => {
  it("defaults a bare host to https and keeps only the origin", () => {
    expect(serverUrl("cxrlab.hospital.org")).toBe("https://cxrlab.hospital.org");
    expect(serverUrl("cxrlab.hospital.org:8443/runs")).toBe("https://cxrlab.hospital.org:8443");
    expect(serverUrl("https://cxrlab.hospital.org/x")).toBe("https://cxrlab.hospital.org");
  });

  it("takes plain http to loopback addresses only (localhost, 127.0.0.0/8, ::1)", () => {
    for (const local of [
      "http://127.0.0.1:3000",
      "http://localhost:3000",
      "http://[::1]:3000",
      "http://127.8.9.10",
    ])
      expect(serverUrl(local)).toBe(local);
    // A bare loopback host stays on http: that is how `cxrlab serve` answers.
    expect(serverUrl("localhost:3000")).toBe("http://localhost:3000");
    expect(serverUrl("127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
    for (const remote of [
      "http://cxrlab.hospital.org",
      "http://10.0.0.5:3000",
      "http://localhost.evil.example",
      "http://128.0.0.1",
    ]) {
      expect(() => serverUrl(remote), remote).toThrow(/--insecure/);
      expect(() => serverUrl(remote), remote).toThrow(/https/);
    }
  });

  it("takes plain http to another machine with --insecure", () => {
    expect(serverUrl("http://10.0.0.5:3000", { insecure: true })).toBe("http://10.0.0.5:3000");
  });

  it("refuses other schemes", () => {
    expect(() => serverUrl("ftp://cxrlab.hospital.org")).toThrow(/http/);
  });
});
