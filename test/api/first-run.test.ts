import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCaller, createContext } from "@cxrlab/api";
import { listAuditEvents, migrate, openStore, type Store } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFirstAdmin, FIRST_ADMIN, formatFirstAdmin } from "../../apps/cli/src/first-admin.ts";
import { rejection } from "./router-suite.ts";
import { authRequest, cookieFrom, ORIGIN, signIn } from "./sessions.ts";

let dir: string;
let store: Store;

const caller = async (cookie: string | null) =>
  createCaller(
    await createContext({ store, headers: new Headers(cookie ? { cookie, origin: ORIGIN } : {}) }),
  );

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-first-run-"));
  store = await openStore(`file:${path.join(dir, "store.db")}`);
  await migrate(store);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("first run: the demo's admin and its one-time password", () => {
  let oneTime: string;
  let session: string;

  it("makes one admin of the demo's project and of default on a store without accounts, never a second", async () => {
    const created = await createFirstAdmin(store, ["demo-project", "default"]);
    expect(created).not.toBeNull();
    oneTime = created!.password;
    expect(created!.oneTime).toBe(true);
    expect(oneTime.length).toBeGreaterThanOrEqual(12);
    const user = await store.prisma.user.findUniqueOrThrow({
      where: { email: FIRST_ADMIN.email },
      include: { memberships: { include: { project: true } } },
    });
    expect(user.mustChangePassword).toBe(true);
    expect(user.memberships.map((m) => [m.project.name, m.role]).sort()).toEqual([
      ["default", "admin"],
      ["demo-project", "admin"],
    ]);
    const printed = formatFirstAdmin(created!);
    expect(printed).toContain(`email:              ${FIRST_ADMIN.email}`);
    expect(printed.split(oneTime)).toHaveLength(2);
    expect(await createFirstAdmin(store, ["demo-project", "default"])).toBeNull();
    expect(await store.prisma.user.count()).toBe(1);
  });

  it("signs in with the one-time password and is told to change it", async () => {
    const response = await authRequest(store, "sign-in/email", {
      email: FIRST_ADMIN.email,
      password: oneTime,
    });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword,
    ).toBe(true);
    session = cookieFrom(response);
    expect((await (await caller(session)).account.me()).mustChangePassword).toBe(true);
    // Saying "changed" without changing it does not clear the flag.
    expect(await (await caller(session)).account.passwordChanged()).toEqual({ mustChangePassword: true });
  });

  it("changes the password (other sessions signed out), then clears the flag; the one-time password is dead", async () => {
    const otherDevice = await signIn(store, FIRST_ADMIN.email, oneTime);
    const newPassword = "a much longer password of mine";
    const changed = await authRequest(
      store,
      "change-password",
      { currentPassword: oneTime, newPassword, revokeOtherSessions: true },
      session,
    );
    expect(changed.status).toBe(200);
    // The library replaced this browser's session; the form then clears the flag with it.
    const renewed = cookieFrom(changed);
    expect(renewed).toMatch(/session_token=/);
    // The new password itself cleared the flag.
    expect(
      (await store.prisma.user.findUniqueOrThrow({ where: { email: FIRST_ADMIN.email } })).mustChangePassword,
    ).toBe(false);
    const result = await (await caller(renewed)).account.passwordChanged();
    expect(result).toEqual({ mustChangePassword: false });
    expect((await (await caller(renewed)).account.me()).mustChangePassword).toBe(false);
    expect(
      (await store.prisma.user.findUniqueOrThrow({ where: { email: FIRST_ADMIN.email } })).mustChangePassword,
    ).toBe(false);
    expect((await rejection((await caller(otherDevice)).account.me())).code).toBe("UNAUTHORIZED");
    expect(
      (await authRequest(store, "sign-in/email", { email: FIRST_ADMIN.email, password: oneTime })).status,
    ).toBe(401);
    await expect(signIn(store, FIRST_ADMIN.email, newPassword)).resolves.toMatch(/session_token=/);
    const audit = await listAuditEvents(store, { action: "account.password.change" });
    // One change, one event: written by the server when the change succeeded, not by the form's call.
    expect(audit.items.map((e) => e.actorEmail)).toEqual([FIRST_ADMIN.email]);
  });

  it("refuses the flag change to an anonymous caller and a wrong current password to the library", async () => {
    expect((await rejection((await caller(null)).account.passwordChanged())).code).toBe("UNAUTHORIZED");
    const session2 = await signIn(store, FIRST_ADMIN.email, "a much longer password of mine");
    const wrong = await authRequest(
      store,
      "change-password",
      {
        currentPassword: "not the password at all",
        newPassword: "another long password",
        revokeOtherSessions: true,
      },
      session2,
    );
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { code: string }).code).toBe("INVALID_PASSWORD");
  });
});
