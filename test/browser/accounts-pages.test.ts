/**
 * The account pages signed in as a project admin, in a private copy of the fixture store: API tokens
 * (made, shown once, revoked), project members (added by email, role changed, removed; the last
 * admin kept) and the audit log (filtered, exported). Each change is checked in the store.
 */
import { authenticateApiToken, listAuditEvents } from "@cxrlab/db";
import { beforeAll, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "../api/accounts.ts";
import { privateDatabase, useDashboard } from "./harness.ts";
import { onPage, texts, WIDTHS } from "./page-check.ts";

describe("account pages", () => {
  const dashboard = useDashboard({ databaseUrl: privateDatabase() });
  let projectId: number;
  let colleague: TestAccount;

  beforeAll(async () => {
    projectId = (await dashboard.store.prisma.project.findUniqueOrThrow({ where: { name: "default" } })).id;
    colleague = await testAccount(dashboard.store, null);
  });

  it("makes an API token, shows it once, and revokes it", async () => {
    const { app, store, admin } = dashboard;
    await onPage(
      dashboard,
      `${app.baseUrl}/settings/tokens`,
      { width: 1280, name: "tokens" },
      async (page) => {
        page.on("dialog", (dialog) => dialog.accept());
        await page.getByTestId("token-name-input").fill("browser test");
        await page.getByRole("button", { name: "Create token" }).click();
        const token = (await page.getByTestId("new-token-value").textContent())!;
        expect(token).toMatch(/^cxr_[A-Za-z0-9_-]{43}$/);
        expect(await authenticateApiToken(store, token)).toMatchObject({ userId: admin.userId });
        const row = page.getByTestId("token-row").filter({ hasText: "browser test" });
        await row.waitFor();
        expect(await row.textContent()).toContain(`cxr_${token.slice(4, 12)}…`);
        expect(await row.textContent()).not.toContain(token.slice(12));
        await row.getByTestId("revoke-token").click();
        await row
          .getByTestId("token-state")
          .filter({ hasText: /^revoked/ })
          .waitFor();
        expect(await authenticateApiToken(store, token)).toBeNull();
      },
    );
  });

  it("adds a member by email, changes the role and removes them", async () => {
    const { app, store } = dashboard;
    const url = `${app.baseUrl}/projects/${projectId}/members`;
    const roleIn = async (userId: string) =>
      (await store.prisma.membership.findUnique({ where: { projectId_userId: { projectId, userId } } }))
        ?.role;
    await onPage(dashboard, url, { width: 1280, name: "members" }, async (page) => {
      page.on("dialog", (dialog) => dialog.accept());
      await page.getByTestId("member-email").fill(colleague.email.toUpperCase());
      await page.getByTestId("member-role-input").selectOption("clinician");
      await page.getByRole("button", { name: "Add member" }).click();
      const row = page.locator(`[data-testid="member-row"][data-email="${colleague.email}"]`);
      await row.waitFor();
      await expect.poll(() => roleIn(colleague.userId)).toBe("clinician");

      await row.getByLabel(`Role of ${colleague.email}`).selectOption("viewer");
      await expect.poll(() => roleIn(colleague.userId)).toBe("viewer");
      await row.getByTestId("remove-member").click();
      // The row may leave while the page refreshes from an earlier change: wait for the store too.
      await expect.poll(() => roleIn(colleague.userId)).toBeUndefined();
      await row.waitFor({ state: "detached" });
    });
  });

  it("says why a member change is refused", async () => {
    const { app, store, admin } = dashboard;
    // Not through onPage: the refusals are error responses, which it counts as failures.
    const { page, close } = await dashboard.openPage({ width: 1280 });
    try {
      page.on("dialog", (dialog) => dialog.accept());
      await page.goto(`${app.baseUrl}/projects/${projectId}/members`);
      await page.getByTestId("member-email").fill("nobody@example.org");
      await page.getByRole("button", { name: "Add member" }).click();
      const error = page.getByTestId("add-member").getByTestId("member-error");
      expect(await error.textContent()).toContain("no account with the email nobody@example.org");
      const admins = await store.prisma.membership.count({ where: { projectId, role: "admin" } });
      // The last admin stays (the fixture store may have admins of its own: then the removal goes through).
      if (admins === 1) {
        const own = page.locator(`[data-testid="member-row"][data-email="${admin.email}"]`);
        await own.getByTestId("remove-member").click();
        expect(await own.getByTestId("member-error").textContent()).toContain("last admin");
        expect(
          await store.prisma.membership.count({ where: { projectId, userId: admin.userId, role: "admin" } }),
        ).toBe(1);
      }
    } finally {
      await close();
    }
  });

  it("lists the project's audit events, filters them and exports the same selection", async () => {
    const { app, store } = dashboard;
    const url = `${app.baseUrl}/audit?action=member.`;
    await onPage(dashboard, url, { width: 1280, name: "audit" }, async (page) => {
      const shown = await texts(page.getByTestId("audit-row-action"));
      const stored = await listAuditEvents(store, { projectIds: [projectId], action: "member." });
      expect(shown).toEqual(stored.items.map((e) => e.action));
      expect(shown).toEqual(["member.remove", "member.set", "member.set"]);
      const href = (await page.getByTestId("export-csv").getAttribute("href"))!;
      expect(href).toBe("/api/audit/export?format=csv&action=member.");
      const csv = await page.request.get(`${app.baseUrl}${href}`);
      expect(csv.status()).toBe(200);
      const lines = (await csv.text()).trimEnd().split("\n");
      expect(lines.slice(1).map((l) => l.split(",")[4])).toEqual([
        "member.set",
        "member.set",
        "member.remove",
      ]);
    });
  });

  it("shows the audit log only to those who audit a project", async () => {
    const researcher = await testAccount(dashboard.store, "researcher");
    const { page, close } = await dashboard.openPage({ width: 1280, account: researcher });
    try {
      // The header offers no Audit link to a researcher (of every project they belong to)...
      await page.goto(`${dashboard.app.baseUrl}/runs`);
      const nav = page.getByTestId("main-nav");
      expect(await nav.getByRole("link", { name: "Runs" }).count()).toBe(1);
      expect(await nav.getByRole("link", { name: "Audit" }).count()).toBe(0);
      expect((await page.goto(`${dashboard.app.baseUrl}/audit`))?.status()).toBe(403);
      const response = await page.request.get(`${dashboard.app.baseUrl}/api/audit/export?format=jsonl`);
      expect(response.status()).toBe(403);
      expect((await page.goto(`${dashboard.app.baseUrl}/projects/${projectId}/members`))?.status()).toBe(200);
      expect(await page.getByTestId("add-member").count()).toBe(0);
    } finally {
      await close();
    }
    // ...and one to an admin, which leads to the log.
    const admin = await dashboard.openPage({ width: 1280 });
    try {
      await admin.page.goto(`${dashboard.app.baseUrl}/runs`);
      await admin.page.getByTestId("main-nav").getByRole("link", { name: "Audit" }).click();
      await admin.page.waitForURL((url) => url.pathname === "/audit");
      expect(await admin.page.locator("h1").textContent()).toBe("Audit log");
    } finally {
      await admin.close();
    }
  });

  for (const width of WIDTHS) {
    it(`fits the account pages in ${width} px`, async () => {
      for (const [path, name] of [
        ["/settings/tokens", "tokens-fit"],
        [`/projects/${projectId}/members`, "members-fit"],
        ["/projects", "projects-fit"],
        ["/audit", "audit-fit"],
      ] as const) {
        await onPage(dashboard, `${dashboard.app.baseUrl}${path}`, { width, name }, async (page) => {
          await page.locator("h1").waitFor();
        });
      }
    });
  }
});
