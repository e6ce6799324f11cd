/**
 * Accounts in the served dashboard: every page and API route refuses anonymous visitors (found by
 * walking apps/web/app, so a new page is covered the day it is added), signing in through the form,
 * a viewer refused a patient page, sign-out everywhere, and the sign-in rate limit.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { SIGN_IN_ATTEMPTS_PER_MINUTE } from "@cxrlab/api/auth";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.ts";
import { privateDatabase, screenshot, signIn, testAccount, useDashboard } from "./harness.ts";

const APP_DIR = path.join(ROOT, "apps", "web", "app");

/** Every route file under apps/web/app as its URL pattern, e.g. "/runs/[id]" (page) or "/api/images/[id]" (route). */
function routes(dir = APP_DIR, prefix = ""): { pattern: string; kind: "page" | "route" }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return routes(path.join(dir, entry.name), `${prefix}/${entry.name}`);
    if (entry.name === "page.tsx") return [{ pattern: prefix || "/", kind: "page" as const }];
    if (entry.name === "route.ts") return [{ pattern: prefix, kind: "route" as const }];
    return [];
  });
}

describe("accounts in the dashboard", () => {
  // Its own store: the rate-limit test locks this store's sign-in form for a minute.
  const dashboard = useDashboard({ databaseUrl: privateDatabase() });

  /** A URL for a route pattern, with real ids from the store in its dynamic segments. */
  async function urlFor(pattern: string): Promise<string> {
    const { store } = dashboard;
    const run = await store.prisma.run.findFirstOrThrow({ orderBy: { id: "asc" } });
    const image = await store.prisma.image.findFirstOrThrow({ orderBy: { id: "asc" } });
    const values: Record<string, string> = {
      "[id]":
        pattern.startsWith("/images") || pattern.startsWith("/api/images")
          ? String(image.id)
          : String(run.id),
      "[runId]": String(run.id),
      "[imageId]": String(image.id),
      "[trpc]": "runs.list",
      "[...all]": "get-session",
    };
    return pattern.replace(/\[[^\]]+\]/g, (segment) => values[segment] ?? segment);
  }

  it("sends anonymous visitors of every page to sign-in and answers 401 on every API route", async () => {
    const found = routes();
    // The walk must see the app: the runs list, a dynamic page and the image route at least.
    expect(found.map((r) => r.pattern)).toEqual(
      expect.arrayContaining(["/runs", "/runs/[id]", "/api/images/[id]"]),
    );
    const seen: string[] = [];
    for (const { pattern, kind } of found) {
      if (pattern === "/sign-in" || pattern.startsWith("/api/auth")) continue;
      const url = `${dashboard.app.baseUrl}${await urlFor(pattern)}`;
      const methods = pattern === "/api/uploads" ? ["POST"] : ["GET"];
      for (const method of methods) {
        const response = await fetch(url, { method, redirect: "manual" });
        seen.push(`${method} ${pattern} ${response.status}`);
        if (kind === "page") {
          expect(response.status, `${method} ${url}`).toBe(307);
          expect(new URL(response.headers.get("location")!, url).pathname, url).toBe("/sign-in");
        } else {
          expect(response.status, `${method} ${url}: ${await response.text()}`).toBe(401);
        }
      }
    }
    expect(seen.length).toBeGreaterThan(10);
    const signInPage = await fetch(`${dashboard.app.baseUrl}/sign-in`);
    expect(signInPage.status).toBe(200);
  });

  it("signs a researcher in through the form and back to the page asked for; a wrong password is refused", async () => {
    const researcher = await testAccount(dashboard.store, "researcher");
    const { page, consoleErrors, close } = await dashboard.openPage({ width: 390, account: null });
    try {
      const run = await dashboard.store.prisma.run.findFirstOrThrow({ orderBy: { id: "asc" } });
      await page.goto(`${dashboard.app.baseUrl}/runs/${run.id}`);
      expect(new URL(page.url()).pathname).toBe("/sign-in");
      await page.getByLabel("Email").fill(researcher.email);
      await page.getByLabel("Password").fill(`${researcher.password}x`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect
        .poll(() => page.getByTestId("sign-in-error").textContent())
        .toContain("Wrong email or password");
      await screenshot(page, "sign-in-refused-390");

      await signIn(page, dashboard.app.baseUrl, researcher, `/runs/${run.id}`);
      await page.getByTestId("account-menu").waitFor();
      expect(await page.getByTestId("account-menu").textContent()).toContain("Test researcher");
      expect(await page.locator("h1").first().textContent()).toContain(run.name);
      // The refused attempt logs a 401 from the accounts endpoint; nothing else may go wrong.
      expect(consoleErrors.filter((e) => !e.includes("401"))).toEqual([]);
    } finally {
      await close();
    }
  });

  it("refuses a viewer the patient pages (403) and shows the runs", async () => {
    const viewer = await testAccount(dashboard.store, "viewer");
    const { page, close } = await dashboard.openPage({ width: 1280, account: viewer });
    try {
      const runs = await page.goto(`${dashboard.app.baseUrl}/runs`);
      expect(runs?.status()).toBe(200);
      const patients = await page.goto(`${dashboard.app.baseUrl}/patients`);
      expect(patients?.status()).toBe(403);
      await page.getByTestId("forbidden").waitFor();
      await screenshot(page, "patients-refused-viewer-1280");
    } finally {
      await close();
    }
  });

  it("signs out everywhere: another browser's session ends too", async () => {
    const account = await testAccount(dashboard.store, "viewer");
    const first = await dashboard.openPage({ width: 1280, account });
    const second = await dashboard.openPage({ width: 1280, account });
    try {
      await second.page.goto(`${dashboard.app.baseUrl}/runs`);
      expect(new URL(second.page.url()).pathname).toBe("/runs");
      await first.page.goto(`${dashboard.app.baseUrl}/runs`);
      await first.page.getByTestId("account-menu").locator("summary").click();
      await first.page.getByTestId("sign-out-everywhere").click();
      await first.page.waitForURL((url) => url.pathname === "/sign-in");
      await second.page.goto(`${dashboard.app.baseUrl}/runs`);
      expect(new URL(second.page.url()).pathname).toBe("/sign-in");
      expect(await dashboard.store.prisma.session.count({ where: { userId: account.userId } })).toBe(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it(`limits sign-in attempts to ${SIGN_IN_ATTEMPTS_PER_MINUTE} a minute per client`, async () => {
    const account = await testAccount(dashboard.store, "viewer");
    const attempt = () =>
      fetch(`${dashboard.app.baseUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: dashboard.app.baseUrl },
        body: JSON.stringify({ email: account.email, password: "not the password at all" }),
      });
    // The form test above spent some of this minute's attempts already.
    const statuses: number[] = [];
    while (statuses.length <= 2 * SIGN_IN_ATTEMPTS_PER_MINUTE && statuses.at(-1) !== 429)
      statuses.push((await attempt()).status);
    expect(statuses.at(-1), statuses.join(" ")).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.length).toBeLessThanOrEqual(SIGN_IN_ATTEMPTS_PER_MINUTE + 1);
    // Even the right password is refused until the minute is over.
    const right = await fetch(`${dashboard.app.baseUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: dashboard.app.baseUrl },
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    expect(right.status).toBe(429);
  });
});
