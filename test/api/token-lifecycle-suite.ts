/**
 * API tokens and account state (issue 17, finding 9): tokens expire by default, only a browser
 * session mints them, a password change, an admin's password reset and sign-out everywhere revoke
 * them, and a disabled account can neither sign in nor use its sessions and tokens.
 */
import { disableUser, enableUser, issueOneTimePassword } from "@cxrlab/api/auth";
import { listApiTokens, listUsers, migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";
import { rejection } from "./router-suite.ts";
import { authRequest, cookieFrom, ORIGIN, signIn } from "./sessions.ts";

const DAY = 86_400_000;
const NEW_PASSWORD = "a password of my own choosing";

const withCookie = (cookie: string): TestAccount =>
  ({ headers: new Headers({ cookie, origin: ORIGIN }) }) as TestAccount;
const withToken = (token: string): TestAccount =>
  ({ headers: new Headers({ authorization: `Bearer ${token}` }) }) as TestAccount;

/** A client address of each test's own: together they sign in more often than one client may. */
const client = (n: number) => ({ "x-forwarded-for": `10.0.9.${n}` });

export function tokenLifecycleSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** A session of a new account and a token minted with it. */
  async function sessionAndToken(n: number) {
    const account = await testAccount(store, "admin", ["chest"]);
    const cookie = await signIn(store, account.email, account.password, client(n));
    const { token } = await (await callerAs(store, withCookie(cookie))).tokens.create({ name: "laptop" });
    return { account, cookie, token };
  }

  const usable = async (who: TestAccount) => {
    const result = await (await callerAs(store, who)).account.me().then(
      () => "ok",
      (err) => (err as { code?: string }).code,
    );
    return result === "ok";
  };

  it("gives a minted token 90 days by default, a chosen expiry within a year, never more", async () => {
    const account = await testAccount(store, "admin", ["chest"]);
    const cookie = await signIn(store, account.email, account.password, client(1));
    const api = await callerAs(store, withCookie(cookie));
    const byDefault = await api.tokens.create({ name: "default" });
    const days = (d: Date | null) => (d ? Math.round((d.getTime() - Date.now()) / DAY) : null);
    expect(days(byDefault.record.expiresAt)).toBe(90);
    const chosen = await api.tokens.create({ name: "short", expiresInDays: 7 });
    expect(days(chosen.record.expiresAt)).toBe(7);
    expect((await rejection(api.tokens.create({ name: "long", expiresInDays: 3650 }))).code).toBe(
      "BAD_REQUEST",
    );
    // The store's own default too (the CLI's test accounts, scripts).
    const fromStore = await store.prisma.apiToken.findFirstOrThrow({
      where: { userId: account.userId, name: "tests" },
    });
    expect(days(fromStore.expiresAt)).toBe(90);
  });

  it("stops a token minted before tokens had an expiry 90 days after it was made", async () => {
    const { account, token } = await sessionAndToken(9);
    const legacy = (createdDaysAgo: number) =>
      store.prisma.apiToken.updateMany({
        where: { userId: account.userId, name: "laptop" },
        data: { expiresAt: null, createdAt: new Date(Date.now() - createdDaysAgo * DAY) },
      });
    await legacy(10);
    expect(await usable(withToken(token))).toBe(true);
    const listed = (await listApiTokens(store, account.userId)).find((t) => t.name === "laptop")!;
    expect(Math.round((listed.expiresAt!.getTime() - listed.createdAt.getTime()) / DAY)).toBe(90);
    const active = async () => (await listUsers(store)).find((u) => u.id === account.userId)!;
    const before = await active();
    await legacy(91);
    expect(await usable(withToken(token))).toBe(false);
    expect((await active()).activeTokens).toBe(before.activeTokens - 1);
  });

  it("refuses to mint a token for a caller authenticated by a token", async () => {
    const { account, token } = await sessionAndToken(2);
    const before = await store.prisma.apiToken.count({ where: { userId: account.userId } });
    const refused = await rejection(
      (await callerAs(store, withToken(token))).tokens.create({ name: "more" }),
    );
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain("browser session");
    expect(await store.prisma.apiToken.count({ where: { userId: account.userId } })).toBe(before);
  });

  it("revokes the account's tokens when its password is changed", async () => {
    const { account, cookie, token } = await sessionAndToken(3);
    expect(await usable(withToken(token))).toBe(true);
    const changed = await authRequest(
      store,
      "change-password",
      { currentPassword: account.password, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      cookie,
    );
    expect(changed.status).toBe(200);
    expect(await usable(withToken(token))).toBe(false);
    expect(await usable(account)).toBe(false);
    // The browser's renewed session still works; a new token can be minted with it.
    expect(await usable(withCookie(cookieFrom(changed)))).toBe(true);
  });

  it("revokes the account's tokens when an admin issues a one-time password", async () => {
    const { account, token } = await sessionAndToken(4);
    await issueOneTimePassword(store, account.email);
    expect(await usable(withToken(token))).toBe(false);
    expect(await store.prisma.apiToken.count({ where: { userId: account.userId, revokedAt: null } })).toBe(0);
  });

  it("revokes the account's tokens on sign-out everywhere", async () => {
    const { cookie, token } = await sessionAndToken(5);
    const response = await authRequest(store, "revoke-sessions", {}, cookie);
    expect(response.status).toBe(200);
    expect(await usable(withToken(token))).toBe(false);
  });

  it("disables an account: no sign-in, its sessions and tokens stop at once; enabling lets it sign in again", async () => {
    const { account, cookie, token } = await sessionAndToken(6);
    // Another admin of "chest" exists (the other tests' accounts), so this one may be disabled.
    await disableUser(store, account.email);
    expect(await usable(withToken(token))).toBe(false);
    expect(await usable(withCookie(cookie))).toBe(false);
    const refused = await authRequest(
      store,
      "sign-in/email",
      { email: account.email, password: account.password },
      undefined,
      client(7),
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("ACCOUNT_DISABLED");
    expect(refused.headers.getSetCookie()).toEqual([]);
    const listed = (await listUsers(store)).find((u) => u.email === account.email);
    expect(listed?.disabledAt).toBeInstanceOf(Date);

    await enableUser(store, account.email);
    expect((await listUsers(store)).find((u) => u.email === account.email)?.disabledAt).toBeNull();
    await expect(signIn(store, account.email, account.password, client(8))).resolves.toMatch(
      /session_token=/,
    );
    // Its tokens were revoked, not merely paused.
    expect(await usable(withToken(token))).toBe(false);
  });

  it("refuses to disable the last enabled admin of a project", async () => {
    const only = await testAccount(store, "admin", ["solo"]);
    await expect(disableUser(store, only.email)).rejects.toThrow(/last (enabled )?admin/);
    expect(await usable(only)).toBe(true);
    const second = await testAccount(store, "admin", ["solo"]);
    await disableUser(store, second.email);
    // The other admin is disabled: the remaining one is the last enabled admin.
    await expect(disableUser(store, only.email)).rejects.toThrow(/last (enabled )?admin/);
    await expect(disableUser(store, "nobody@test.cxrlab")).rejects.toThrow(/no account/);
  });
}
