/**
 * The audit log (issue 17, finding 5): events without a project are shown to admins, sign-ins and
 * failed sign-ins are recorded with the email tried and the client address (never the password),
 * and a password change is recorded once, by the server, when it succeeds.
 */
import { handleAuditExport } from "@cxrlab/api/http";
import { listAuditEvents, migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "../db/databases.ts";
import { callerAs, type TestAccount, testAccount } from "./accounts.ts";
import { rejection } from "./router-suite.ts";
import { authRequest, cookieFrom, ORIGIN, signIn } from "./sessions.ts";

const NEW_PASSWORD = "a password of my own choosing";

const withCookie = (cookie: string): TestAccount =>
  ({ headers: new Headers({ cookie, origin: ORIGIN }) }) as TestAccount;

/** A client address of each test's own: together they sign in more often than one client may. */
const client = (n: number) => ({ "x-forwarded-for": `10.0.8.${n}` });

export function auditVisibilitySuite(newDatabase: DatabaseFactory): void {
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

  it("shows events without a project to an admin of any project, in the list and the export", async () => {
    const admin = await testAccount(store, "admin", ["chest"]);
    const viewer = await testAccount(store, "viewer", ["chest"]);
    // An event of no project: a clinician's patient search.
    const clinician = await testAccount(store, "clinician", ["lungs"]);
    await (await callerAs(store, clinician)).patients.search({ q: "PAT" });
    const listed = await (await callerAs(store, admin)).audit.list({ action: "patient.search" });
    expect(listed.items.map((e) => [e.actorEmail, e.projectId])).toEqual([[clinician.email, null]]);
    const exported = await handleAuditExport(
      new Request(`${ORIGIN}/api/audit/export?format=jsonl&action=patient.search`, {
        headers: admin.headers,
      }),
      { store },
    );
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain(clinician.email);
    // One project asked for: only that project's events.
    const chestId = (await store.prisma.project.findUniqueOrThrow({ where: { name: "chest" } })).id;
    const oneProject = await (await callerAs(store, admin)).audit.list({
      projectId: chestId,
      action: "patient.search",
    });
    expect(oneProject.total).toBe(0);
    // Not an admin: no audit log at all.
    expect((await rejection((await callerAs(store, viewer)).audit.list({}))).code).toBe("FORBIDDEN");
  });

  it("records a sign-in and a failed sign-in with the email tried and the client address, never the password", async () => {
    const account = await testAccount(store, "viewer", ["chest"]);
    await signIn(store, account.email, account.password, client(1));
    const wrong = "not the right password at all";
    const failed = await authRequest(
      store,
      "sign-in/email",
      { email: account.email.toUpperCase(), password: wrong },
      undefined,
      client(2),
    );
    expect(failed.status).toBe(401);
    const unknown = await authRequest(
      store,
      "sign-in/email",
      { email: "nobody@example.org", password: wrong },
      undefined,
      client(3),
    );
    expect(unknown.status).toBe(401);
    const ok = (await listAuditEvents(store, { action: "auth.sign-in" })).items;
    expect(ok.map((e) => [e.actorId, e.actorEmail, e.ip, e.projectId])).toEqual([
      [account.userId, account.email, "10.0.8.1", null],
    ]);
    const fails = (await listAuditEvents(store, { action: "auth.sign-in.fail" })).items;
    expect(fails.map((e) => [e.actorEmail, e.ip, (e.details as { email: string }).email])).toEqual([
      [null, "10.0.8.3", "nobody@example.org"],
      [null, "10.0.8.2", account.email],
    ]);
    const all = JSON.stringify(await listAuditEvents(store, { action: "auth." }));
    expect(all).not.toContain(wrong);
    expect(all).not.toContain(account.password);
  });

  it("records one password change, by the server, when it succeeds; the client's word adds nothing", async () => {
    const account = await testAccount(store, "viewer", ["chest"]);
    const cookie = await signIn(store, account.email, account.password, client(4));
    const changes = async () =>
      (await listAuditEvents(store, { action: "account.password.change", actorId: account.userId })).total;
    // Saying so without a change records nothing.
    await (await callerAs(store, withCookie(cookie))).account.passwordChanged();
    expect(await changes()).toBe(0);
    const refused = await authRequest(
      store,
      "change-password",
      { currentPassword: "not the password at all", newPassword: NEW_PASSWORD },
      cookie,
      client(5),
    );
    expect(refused.status).toBe(400);
    expect(await changes()).toBe(0);
    const changed = await authRequest(
      store,
      "change-password",
      { currentPassword: account.password, newPassword: NEW_PASSWORD, revokeOtherSessions: true },
      cookie,
      client(6),
    );
    expect(changed.status).toBe(200);
    expect(await changes()).toBe(1);
    // The dashboard's form then asks whether a new password is still due: no second event.
    await (await callerAs(store, withCookie(cookieFrom(changed)))).account.passwordChanged();
    const events = (
      await listAuditEvents(store, { action: "account.password.change", actorId: account.userId })
    ).items;
    expect(events.map((e) => [e.actorEmail, e.targetId, e.ip])).toEqual([
      [account.email, account.userId, "10.0.8.6"],
    ]);
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);
  });
}
