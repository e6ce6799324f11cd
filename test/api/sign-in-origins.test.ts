/**
 * Which pages may sign in (the accounts library's origin check, on a real store): the loopback
 * spellings of the served port, or exactly CXRLAB_PUBLIC_URL's origins. Under vitest NODE_ENV is
 * "test", where the library would skip the check unless told not to; these tests see what users get.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, describe, expect, it, vi } from "vitest";
import { type TestAccount, testAccount } from "./accounts.ts";
import { authRequest, ORIGIN } from "./sessions.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-origins-"));
const stores: Store[] = [];
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A server over a store of its own (the sign-in rate limit is kept in the store, so each test's
 * attempts count alone), with an account; it reads the environment as it is now, as a server does
 * when it starts.
 */
async function newServer(): Promise<{ store: Store; account: TestAccount }> {
  const store = await openStore(`file:${path.join(dir, `store-${stores.length}.db`)}`);
  stores.push(store);
  await migrate(store);
  return { store, account: await testAccount(store, "viewer") };
}

/** A browser's sign-in post from a page of `origin` to the dashboard's auth route (on ORIGIN's port). */
async function signInFrom(
  { store, account }: { store: Store; account: TestAccount },
  origin: string,
): Promise<{ status: number; code?: string }> {
  const response = await authRequest(
    store,
    "sign-in/email",
    { email: account.email, password: account.password },
    undefined,
    {
      Origin: origin,
      "Sec-Fetch-Site": origin === ORIGIN ? "same-origin" : "cross-site",
      "Sec-Fetch-Mode": "cors",
    },
  );
  const body = (await response.json().catch(() => ({}))) as { code?: string };
  return { status: response.status, ...(body.code ? { code: body.code } : {}) };
}

describe("sign-in origins", () => {
  it("accepts every loopback spelling of the served port", async () => {
    const server = await newServer();
    for (const origin of ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"]) {
      expect(await signInFrom(server, origin), origin).toEqual({ status: 200 });
    }
  });

  it("refuses other ports, schemes and hosts with INVALID_ORIGIN", async () => {
    const server = await newServer();
    for (const origin of [
      "http://127.0.0.1:3001",
      "https://127.0.0.1:3000",
      "http://127.0.0.2:3000",
      "http://evil.example:3000",
    ]) {
      expect(await signInFrom(server, origin), origin).toEqual({ status: 403, code: "INVALID_ORIGIN" });
    }
  });

  it("trusts exactly CXRLAB_PUBLIC_URL's origins when it is set, loopback no longer", async () => {
    vi.stubEnv("CXRLAB_PUBLIC_URL", "https://cxrlab.hospital.example/, http://10.1.2.3:3000");
    try {
      const server = await newServer();
      for (const origin of ["https://cxrlab.hospital.example", "http://10.1.2.3:3000"]) {
        expect(await signInFrom(server, origin), origin).toEqual({ status: 200 });
      }
      for (const origin of [
        "http://127.0.0.1:3000",
        "http://localhost:3000",
        "http://cxrlab.hospital.example",
      ]) {
        expect(await signInFrom(server, origin), origin).toEqual({ status: 403, code: "INVALID_ORIGIN" });
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
