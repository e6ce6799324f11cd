import { createCaller, createContext } from "@cxrlab/api";
import { handleAuditExport } from "@cxrlab/api/http";
import {
  appendAuditEvent,
  createApiToken,
  listAuditEvents,
  migrate,
  openStore,
  type Store,
} from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteDatabase, type TestDatabase } from "../db/databases.ts";
import { PASSWORD_CHANGE_FIRST } from "./accounts.ts";
import { rejection } from "./router-suite.ts";

type Caller = ReturnType<typeof createCaller>;

const CLIENT = { "user-agent": "accounts-test/1.0", "x-forwarded-for": "10.1.2.3" };

describe("tokens, account, project members and the audit log through the API", () => {
  let db: TestDatabase;
  let store: Store;
  let chest: number;
  let other: number;
  const tokens: Record<string, string> = {};

  const callerWith = async (token: string | null): Promise<Caller> =>
    createCaller(
      await createContext({
        store,
        headers: new Headers({ ...CLIENT, ...(token ? { authorization: `Bearer ${token}` } : {}) }),
      }),
    );
  const as = (who: string) => callerWith(tokens[who]!);
  const exportRequest = (query: string, who: string | null) =>
    handleAuditExport(
      new Request(`http://localhost/api/audit/export?${query}`, {
        headers: { ...CLIENT, ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
      }),
      { store },
    );

  beforeAll(async () => {
    db = await sqliteDatabase();
    store = await openStore(db.url);
    await migrate(store);
    chest = (await store.prisma.project.create({ data: { name: "chest" } })).id;
    other = (await store.prisma.project.create({ data: { name: "other" } })).id;
    const members: [string, number | null, string | null][] = [
      ["admin", chest, "admin"],
      ["clinician", chest, "clinician"],
      ["outsider", null, null],
      ["otheradmin", other, "admin"],
    ];
    for (const [id, projectId, role] of members) {
      await store.prisma.user.create({
        data: { id, name: id, email: `${id}@example.org`, mustChangePassword: id === "clinician" },
      });
      if (projectId && role) await store.prisma.membership.create({ data: { projectId, userId: id, role } });
      tokens[id] = (await createApiToken(store, id, "test")).token;
    }
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("answers account.me with the viewer, their roles and the password flag; anonymous is refused", async () => {
    expect((await rejection((await callerWith(null)).account.me())).code).toBe("UNAUTHORIZED");
    expect((await rejection((await callerWith("cxr_not-a-token")).account.me())).code).toBe("UNAUTHORIZED");
    const me = await (await as("clinician")).account.me();
    expect(me).toMatchObject({
      user: { id: "clinician", email: "clinician@example.org" },
      mustChangePassword: true,
      via: "token",
    });
    expect(me.memberships.map((m) => [m.name, m.role])).toEqual([["chest", "clinician"]]);
    // Nothing else until the one-time password is replaced, which clears the flag (as here).
    const refused = await rejection((await as("clinician")).projects.members({ projectId: chest }));
    expect([refused.code, refused.message]).toEqual([
      "FORBIDDEN",
      expect.stringContaining(PASSWORD_CHANGE_FIRST),
    ]);
    await store.prisma.user.update({ where: { id: "clinician" }, data: { mustChangePassword: false } });
    expect((await (await as("outsider")).account.me()).memberships).toEqual([]);
    expect((await (await as("admin")).projects.list()).map((p) => [p.id, p.role])).toEqual([
      [chest, "admin"],
    ]);
  });

  it("creates a token that works once, lists it without a hash and revokes only the viewer's own", async () => {
    const outsider = await as("outsider");
    // Tokens are minted from a browser session only: the same account's context, as a session.
    const context = await createContext({
      store,
      headers: new Headers({ ...CLIENT, authorization: `Bearer ${tokens.outsider}` }),
    });
    const inBrowser = createCaller({ ...context, viewer: { ...context.viewer!, via: "session" } });
    const { token, record } = await inBrowser.tokens.create({ name: "cli", expiresInDays: 30 });
    expect(record.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const viaNew = await callerWith(token);
    expect((await viaNew.account.me()).user.id).toBe("outsider");
    const listed = await outsider.tokens.list();
    expect(listed.map((t) => t.name).sort()).toEqual(["cli", "test"]);
    expect(JSON.stringify(listed)).not.toMatch(/tokenHash|[0-9a-f]{64}/);
    expect(await (await as("admin")).tokens.list()).toHaveLength(1);

    expect((await rejection((await as("admin")).tokens.revoke({ id: record.id }))).code).toBe("NOT_FOUND");
    expect((await (await callerWith(token)).account.me()).user.id).toBe("outsider");
    await outsider.tokens.revoke({ id: record.id });
    // Each request resolves its token anew: the next one after the revocation is anonymous.
    expect((await rejection((await callerWith(token)).account.me())).code).toBe("UNAUTHORIZED");

    const events = (await listAuditEvents(store, { actorId: "outsider", action: "token." })).items;
    expect(events.map((e) => [e.action, e.targetId])).toEqual([
      ["token.revoke", String(record.id)],
      ["token.create", String(record.id)],
    ]);
    expect(events[0]).toMatchObject({ ip: "10.1.2.3", userAgent: "accounts-test/1.0", projectId: null });
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it("lets members read the member list and only the project's admins change it, audited", async () => {
    const members = await (await as("clinician")).projects.members({ projectId: chest });
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ["admin@example.org", "admin"],
      ["clinician@example.org", "clinician"],
    ]);
    expect((await rejection((await as("outsider")).projects.members({ projectId: chest }))).code).toBe(
      "FORBIDDEN",
    );
    const set = { projectId: chest, email: "outsider@example.org", role: "viewer" } as const;
    expect((await rejection((await as("clinician")).projects.setMember(set))).code).toBe("FORBIDDEN");
    expect((await rejection((await as("otheradmin")).projects.setMember(set))).code).toBe("FORBIDDEN");

    const admin = await as("admin");
    await admin.projects.setMember(set);
    await admin.projects.setMember({ ...set, email: " Outsider@Example.org ", role: "researcher" });
    expect((await (await as("outsider")).projects.list()).map((p) => p.role)).toEqual(["researcher"]);
    const unknown = await rejection(admin.projects.setMember({ ...set, email: "nobody@example.org" }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toContain("nobody@example.org");
    const lastAdmin = await rejection(admin.projects.removeMember({ projectId: chest, userId: "admin" }));
    expect(lastAdmin.code).toBe("PRECONDITION_FAILED");
    await admin.projects.removeMember({ projectId: chest, userId: "outsider" });
    expect((await rejection((await as("outsider")).projects.members({ projectId: chest }))).code).toBe(
      "FORBIDDEN",
    );

    const events = (await listAuditEvents(store, { projectIds: [chest], action: "member." })).items;
    expect(events.map((e) => [e.action, e.actorEmail, e.details])).toEqual([
      ["member.remove", "admin@example.org", { email: "outsider@example.org", role: "researcher" }],
      [
        "member.set",
        "admin@example.org",
        { email: "outsider@example.org", role: "researcher", previousRole: "viewer" },
      ],
      [
        "member.set",
        "admin@example.org",
        { email: "outsider@example.org", role: "viewer", previousRole: null },
      ],
    ]);
  });

  it("shows a project's admins that project's audit log and the events of no project, filtered and paged", async () => {
    await appendAuditEvent(store, {
      action: "patient.view",
      projectId: other,
      actorEmail: "otheradmin@example.org",
    });
    const admin = await as("admin");
    const page = await admin.audit.list({ projectId: chest, pageSize: 2 });
    expect(page.total).toBe(3);
    expect(page.items.every((e) => e.projectId === chest)).toBe(true);
    expect((await admin.audit.list({ projectId: chest, page: 2, pageSize: 2 })).items).toHaveLength(1);
    // All projects: the admin's project and the events of none (the outsider's tokens), not other's.
    const all = (await admin.audit.list({ pageSize: 100 })).items;
    expect(all.filter((e) => e.projectId === null).map((e) => e.action)).toEqual([
      "token.revoke",
      "token.create",
    ]);
    expect(all.some((e) => e.projectId === other)).toBe(false);
    expect((await admin.audit.list({ action: "member.remove" })).total).toBe(1);
    expect((await admin.audit.list({ to: "2000-01-01" })).total).toBe(0);
    expect((await rejection(admin.audit.list({ projectId: other }))).code).toBe("FORBIDDEN");
    expect((await rejection((await as("clinician")).audit.list())).code).toBe("FORBIDDEN");
    expect(
      (await (await as("otheradmin")).audit.list({ projectId: other })).items.map((e) => e.action),
    ).toEqual(["patient.view"]);
  });

  it("exports the log over HTTP as CSV and JSON Lines to admins only, and audits the export", async () => {
    const csv = await exportRequest(`format=csv&projectId=${chest}`, "admin");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(
      /^attachment; filename="cxrlab-audit-[\d-]+\.csv"$/,
    );
    const lines = (await csv.text()).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^id,createdAt,actorId,actorEmail,action,/);
    // The export of one project is audited in that project, before it is read.
    expect(lines.slice(1).map((l) => l.split(",")[4])).toEqual([
      "member.set",
      "member.set",
      "member.remove",
      "audit.export",
    ]);

    const jsonl = await exportRequest(`format=jsonl&action=member.remove&projectId=${chest}`, "admin");
    const events = (await jsonl.text())
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; projectId: number });
    expect(events).toEqual([expect.objectContaining({ action: "member.remove", projectId: chest })]);

    expect((await exportRequest("format=csv", null)).status).toBe(401);
    expect((await exportRequest("format=csv", "clinician")).status).toBe(403);
    expect((await exportRequest(`format=csv&projectId=${other}`, "admin")).status).toBe(403);
    const badFormat = await exportRequest("format=xlsx", "admin");
    expect(badFormat.status).toBe(400);
    expect(await badFormat.text()).toContain("csv, jsonl");
    const badQuery = await exportRequest("format=csv&from=yesterday&colour=red", "admin");
    expect(badQuery.status).toBe(400);
    expect(await badQuery.text()).toMatch(/from.*not a date|colour/);

    const exports = (await listAuditEvents(store, { action: "audit.export" })).items;
    expect(exports.map((e) => [e.actorId, (e.details as { format: string }).format])).toEqual([
      ["admin", "jsonl"],
      ["admin", "csv"],
    ]);
  });
});
