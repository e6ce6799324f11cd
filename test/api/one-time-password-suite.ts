/**
 * An account on its generated one-time password, with the session cookie a browser gets from the
 * accounts library: it may read itself and change the password, and nothing else (the whole matrix
 * of operations is in access-suite.ts); the one-time password expires 72 hours after it was set,
 * and only an admin can issue a new one.
 */
import { issueOneTimePassword } from "@cxrlab/api/auth";
import { handleAuditExport } from "@cxrlab/api/http";
import { migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import {
  callerAs,
  oneTimeAccount,
  PASSWORD_CHANGE_FIRST,
  type TestAccount,
  testAccount,
} from "./accounts.ts";
import { rejection } from "./router-suite.ts";
import { authRequest, cookieFrom, ORIGIN, signIn } from "./sessions.ts";

const HOUR = 60 * 60 * 1000;
const NEW_PASSWORD = "a password of my own choosing";

/** Dates the account's password back: as if it had been set `hours` ago. */
async function passwordSetAgo(store: Store, account: TestAccount, hours: number): Promise<void> {
  await store.prisma.account.updateMany({
    where: { userId: account.userId, providerId: "credential" },
    data: { updatedAt: new Date(Date.now() - hours * HOUR) },
  });
}

const withCookie = (cookie: string): TestAccount =>
  ({ headers: new Headers({ cookie, origin: ORIGIN }) }) as TestAccount;

/** A client address of each test's own: together they sign in more often than one client may. */
const client = (n: number) => ({ "x-forwarded-for": `10.0.0.${n}` });

const sessionsOf = (store: Store, account: TestAccount) =>
  store.prisma.session.count({ where: { userId: account.userId } });

export function oneTimePasswordSuite(newDatabase: DatabaseFactory): void {
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

  it("lets a session on a one-time password read its account and nothing else, until the password is changed", async () => {
    const account = await oneTimeAccount(store, "admin", ["chest"]);
    const cookie = await signIn(store, account.email, account.password, client(1));
    const api = await callerAs(store, withCookie(cookie));
    expect((await api.account.me()).mustChangePassword).toBe(true);
    const tokensBefore = await store.prisma.apiToken.count({ where: { userId: account.userId } });
    for (const refused of [api.tokens.create({ name: "laptop" }), api.runs.list({}), api.projects.list()]) {
      const error = await rejection(refused);
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain(PASSWORD_CHANGE_FIRST);
    }
    expect(await store.prisma.apiToken.count({ where: { userId: account.userId } })).toBe(tokensBefore);
    const exported = await handleAuditExport(
      new Request(`${ORIGIN}/api/audit/export?format=csv`, { headers: { cookie } }),
      { store },
    );
    expect(exported.status).toBe(403);
    expect(await exported.text()).toContain(PASSWORD_CHANGE_FIRST);

    const changed = await authRequest(
      store,
      "change-password",
      { currentPassword: account.password, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      cookie,
    );
    expect(changed.status).toBe(200);
    const renewed = await callerAs(store, withCookie(cookieFrom(changed)));
    expect(await renewed.account.passwordChanged()).toEqual({ mustChangePassword: false });
    await expect(renewed.tokens.create({ name: "laptop" })).resolves.toMatchObject({
      token: expect.stringMatching(/^cxr_/),
    });
  });

  it("takes a one-time password up to 72 hours after it was set, then refuses it saying an admin must issue a new one", async () => {
    const account = await oneTimeAccount(store, "viewer", ["chest"]);
    const credentials = { email: account.email, password: account.password };
    const signInAs = (body: typeof credentials) =>
      authRequest(store, "sign-in/email", body, undefined, client(2));
    await passwordSetAgo(store, account, 71);
    expect((await signInAs(credentials)).status).toBe(200);
    const sessions = await sessionsOf(store, account);

    await passwordSetAgo(store, account, 73);
    const refused = await signInAs(credentials);
    expect(refused.status).toBe(403);
    expect(refused.headers.getSetCookie()).toEqual([]);
    const body = (await refused.json()) as { code: string; message: string };
    expect(body.code).toBe("ONE_TIME_PASSWORD_EXPIRED");
    expect(body.message).toMatch(/one-time password expired .*an admin must issue a new one/);
    // The refused sign-in leaves no session behind.
    expect(await sessionsOf(store, account)).toBe(sessions);
    // A wrong password is refused as before, without a word about the account.
    const wrong = await signInAs({ ...credentials, password: "not it at all" });
    expect(wrong.status).toBe(401);
  });

  it("refuses to change an expired one-time password, even from a session made before it expired", async () => {
    const account = await oneTimeAccount(store, "viewer", ["chest"]);
    await passwordSetAgo(store, account, 70);
    const cookie = await signIn(store, account.email, account.password, client(3));
    await passwordSetAgo(store, account, 73);
    const changed = await authRequest(
      store,
      "change-password",
      { currentPassword: account.password, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      cookie,
    );
    expect(changed.status).toBe(403);
    expect(((await changed.json()) as { code: string }).code).toBe("ONE_TIME_PASSWORD_EXPIRED");
    const user = await store.prisma.user.findUniqueOrThrow({ where: { id: account.userId } });
    expect(user.mustChangePassword).toBe(true);
  });

  it("issues a new one-time password: the old one is dead, the new one signs in, earlier sessions are signed out", async () => {
    const account = await oneTimeAccount(store, "viewer", ["chest"]);
    const earlier = await signIn(store, account.email, account.password, client(4));
    await passwordSetAgo(store, account, 100);
    const issued = await issueOneTimePassword(store, account.email.toUpperCase());
    expect(issued).toMatchObject({ user: { id: account.userId, email: account.email }, oneTime: true });
    expect(issued.password).not.toBe(account.password);
    const old = { email: account.email, password: account.password };
    expect((await authRequest(store, "sign-in/email", old, undefined, client(4))).status).toBe(401);
    expect((await rejection((await callerAs(store, withCookie(earlier))).account.me())).code).toBe(
      "UNAUTHORIZED",
    );
    const cookie = await signIn(store, account.email, issued.password, client(4));
    expect((await (await callerAs(store, withCookie(cookie))).account.me()).mustChangePassword).toBe(true);
    await expect(issueOneTimePassword(store, "nobody@test.cxrlab")).rejects.toThrow(
      "no account with the email nobody@test.cxrlab",
    );
  });

  it("never expires a password its owner chose, and a new one-time password makes it one-time again", async () => {
    const account = await testAccount(store, "viewer", ["chest"]);
    await passwordSetAgo(store, account, 24 * 365);
    await expect(signIn(store, account.email, account.password, client(5))).resolves.toMatch(
      /session_token=/,
    );
    const issued = await issueOneTimePassword(store, account.email);
    const cookie = await signIn(store, account.email, issued.password, client(5));
    expect((await (await callerAs(store, withCookie(cookie))).account.me()).mustChangePassword).toBe(true);
  });
}
