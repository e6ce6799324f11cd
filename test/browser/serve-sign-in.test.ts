/**
 * Signing in where `cxrlab demo` and `cxrlab serve` say the dashboard is, read from what they print
 * as a person reads it: the demo's first sign-in with its one-time password, the forced password
 * change and the run page; every loopback spelling of the served port; a team server behind
 * CXRLAB_PUBLIC_URL, which trusts exactly that address; and the client address the server hands
 * on, which a client's own X-Forwarded-For does not change unless it comes from a trusted proxy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStore, type Store } from "@cxrlab/db";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers.ts";
import {
  freePort,
  launchBrowser,
  openPage,
  privateDatabase,
  type RunningApp,
  screenshot,
  signIn,
  startServing,
  type TestAccount,
  testAccount,
} from "./harness.ts";

/** The demo trains (one epoch here) before it serves. */
const DEMO_TIMEOUT_MS = 240_000;

/** Posts a sign-in as a page of `origin` would, to the server at `baseUrl`, with `headers` besides. */
function signInFrom(
  baseUrl: string,
  origin: string,
  account: { email: string; password: string },
  headers: Record<string, string> = {},
) {
  const site = new URL(baseUrl).origin === origin ? "same-origin" : "cross-site";
  return fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: origin, "Sec-Fetch-Site": site, ...headers },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
}

async function signInError(page: Page): Promise<string> {
  await page.getByTestId("sign-in-error").waitFor();
  return (await page.getByTestId("sign-in-error").textContent()) ?? "";
}

describe("the demo, as a newcomer runs it", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cxrlab-demo-"));
  let demo: RunningApp;
  let browser: Browser;
  const newPassword = "a password of my own";
  let admin: { email: string; password: string };

  beforeAll(async () => {
    const port = await freePort();
    [demo, browser] = await Promise.all([
      startServing(
        ["demo", "--epochs", "1", "--port", String(port), "--out", path.join(dir, "runs")],
        { DATABASE_URL: `file:${path.join(dir, "cxrlab.db")}` },
        undefined,
        DEMO_TIMEOUT_MS,
      ),
      launchBrowser(),
    ]);
    const printed = demo.stdout();
    admin = {
      email: /^\s*email:\s+(\S+)$/m.exec(printed)?.[1] ?? "",
      password: /^\s*one-time password:\s+(\S+)$/m.exec(printed)?.[1] ?? "",
    };
  }, DEMO_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), demo?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the run page's URL and the admin's one-time password", () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/runs\/\d+$/);
    expect(admin.email).toBe("admin@cxrlab.local");
    expect(admin.password.length).toBeGreaterThanOrEqual(12);
  });

  it("signs in at the printed URL, asks for a new password, then shows the run page", async () => {
    const { page, consoleErrors, failedRequests, close } = await openPage(browser, { width: 1280 });
    try {
      await page.goto(demo.url);
      expect(new URL(page.url()).pathname).toBe("/sign-in");
      await page.getByLabel("Email").fill(admin.email);
      await page.getByLabel("Password").fill(admin.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname === "/account/password");
      await page.getByTestId("must-change-password").waitFor();
      await page.getByLabel("Current password").fill(admin.password);
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("New password again").fill(newPassword);
      await page.getByRole("button", { name: "Save password" }).click();
      await page.waitForURL(demo.url);
      await page.getByTestId("account-menu").waitFor();
      expect(await page.locator("h1").first().textContent()).toContain("quick");
      await screenshot(page, "demo-first-sign-in-run-page");
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
    } finally {
      await close();
    }
  });

  it("signs in at every loopback spelling of the served port", async () => {
    const runPath = new URL(demo.url).pathname;
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
      const { page, consoleErrors, close } = await openPage(browser, { width: 390 });
      try {
        await signIn(
          page,
          `http://${host}:${demo.port}`,
          { email: admin.email, password: newPassword },
          runPath,
        );
        await page.getByTestId("account-menu").waitFor();
        expect(new URL(page.url()).host, host).toBe(`${host}:${demo.port}`);
        expect(consoleErrors, host).toEqual([]);
      } finally {
        await close();
      }
    }
  });
});

describe("a team server behind CXRLAB_PUBLIC_URL", () => {
  const databaseUrl = privateDatabase();
  let app: RunningApp;
  let browser: Browser;
  let store: Store;
  let researcher: TestAccount;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    // Another loopback address stands for the name the team's browsers use.
    publicUrl = `http://127.0.0.2:${port}`;
    store = await openStore(databaseUrl);
    [app, browser, researcher] = await Promise.all([
      startServing(["serve", "--host", "0.0.0.0", "--port", String(port)], {
        DATABASE_URL: databaseUrl,
        CXRLAB_PUBLIC_URL: `${publicUrl}/`,
      }),
      launchBrowser(),
      testAccount(store, "researcher"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), app?.stop(), store?.close()]);
  });

  it("refuses --host 0.0.0.0 without a public URL, saying what to set", async () => {
    // An empty variable counts as unset.
    const result = await runCli(["serve", "--host", "0.0.0.0", "--port", "0"], {
      env: { DATABASE_URL: databaseUrl, CXRLAB_PUBLIC_URL: "" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--host 0.0.0.0 serves other machines");
    expect(result.stderr).toContain("CXRLAB_PUBLIC_URL");
  });

  it("prints the public address, and signs in there", async () => {
    expect(app.url).toBe(publicUrl);
    const { page, consoleErrors, close } = await openPage(browser, { width: 1280 });
    try {
      await signIn(page, app.url, researcher);
      await page.getByTestId("account-menu").waitFor();
      expect(consoleErrors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("refuses every other origin, loopback included, and the form says what to configure", async () => {
    const local = `http://127.0.0.1:${app.port}`;
    const { page, close } = await openPage(browser, { width: 390 });
    try {
      await page.goto(`${local}/sign-in`);
      await page.getByLabel("Email").fill(researcher.email);
      await page.getByLabel("Password").fill(researcher.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      const message = await signInError(page);
      expect(message).toContain(`refuses sign-in from ${local}`);
      expect(message).toContain("CXRLAB_PUBLIC_URL");
      expect(message).not.toContain("Wrong email or password");
      await screenshot(page, "sign-in-refused-origin-390");
    } finally {
      await close();
    }
    const foreign = await signInFrom(local, "http://evil.example", researcher);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code?: string }).code).toBe("INVALID_ORIGIN");
  });

  it("tells a locked-out client when to try again", async () => {
    // The form's own attempts above count too; the limit is per client address and minute.
    let response: Response | undefined;
    for (let i = 0; i < 8 && response?.status !== 429; i++) {
      response = await signInFrom(app.url, publicUrl, {
        email: researcher.email,
        password: "wrong password!",
      });
    }
    expect(response?.status).toBe(429);
    const { page, close } = await openPage(browser, { width: 1280 });
    try {
      await page.goto(`${app.url}/sign-in`);
      await page.getByLabel("Email").fill(researcher.email);
      await page.getByLabel("Password").fill(researcher.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      expect(await signInError(page)).toMatch(
        /^Too many attempts from this address: try again in \d+ seconds? \(at \d\d:\d\d:\d\d\)\.$/,
      );
    } finally {
      await close();
    }
  });
});

describe("the client address behind cxrlab serve", () => {
  const databaseUrl = privateDatabase();
  let store: Store;
  let researcher: TestAccount;
  const servers: RunningApp[] = [];

  beforeAll(async () => {
    store = await openStore(databaseUrl);
    researcher = await testAccount(store, "researcher");
  });
  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.stop()), store?.close()]);
  });

  async function serve(env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
    const app = await startServing(["serve", "--port", String(await freePort())], {
      DATABASE_URL: databaseUrl,
      ...env,
    });
    servers.push(app);
    return app;
  }

  /** Wrong-password sign-ins, each claiming another client address: the statuses. */
  async function rotatingAttempts(app: RunningApp, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 1; i <= count; i++) {
      const response = await signInFrom(
        app.baseUrl,
        app.baseUrl,
        { email: researcher.email, password: "not the password" },
        { "X-Forwarded-For": `198.51.100.${i}` },
      );
      statuses.push(response.status);
    }
    return statuses;
  }

  it("limits sign-ins by the connection's address, whatever X-Forwarded-For says, and audits that address", async () => {
    const app = await serve();
    expect(await rotatingAttempts(app, 6)).toEqual([401, 401, 401, 401, 401, 429]);
    const run = await store.prisma.run.findFirstOrThrow({ orderBy: { id: "asc" } });
    const tag = `forged-${Date.now()}`;
    const response = await fetch(`${app.baseUrl}/api/trpc/runs.addTag`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: researcher.headers.get("authorization")!,
        "X-Forwarded-For": "198.51.100.99",
        "X-Real-IP": "198.51.100.98",
      },
      body: JSON.stringify({ json: { id: run.id, tag } }),
    });
    expect(response.status, await response.text()).toBe(200);
    const event = await store.prisma.auditEvent.findFirstOrThrow({
      where: { actorId: researcher.userId },
      orderBy: { id: "desc" },
    });
    expect(JSON.stringify(event.details)).toContain(tag);
    expect(event.ip).toBe("127.0.0.1");
  });

  it("believes X-Forwarded-For from a proxy in CXRLAB_TRUSTED_PROXIES", async () => {
    const app = await serve({ CXRLAB_TRUSTED_PROXIES: "127.0.0.1" });
    // Each attempt now comes from another client, so none is over the limit.
    expect(await rotatingAttempts(app, 6)).toEqual([401, 401, 401, 401, 401, 401]);
  });
});
