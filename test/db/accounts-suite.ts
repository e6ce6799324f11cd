import { createHash } from "node:crypto";
import {
  appendAuditEvent,
  authenticateApiToken,
  createApiToken,
  exportAuditEvents,
  listApiTokens,
  listAuditEvents,
  listProjects,
  MembershipError,
  migrate,
  openStore,
  projectMembers,
  removeMember,
  revokeApiToken,
  type Store,
  setMember,
} from "@cxrlab/db";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseFactory, TestDatabase } from "./databases.ts";

/** The trigger's own message; Prisma files SQLite's trigger abort under a misleading foreign-key error. */
async function expectAppendOnlyRefusal(write: Promise<unknown>): Promise<void> {
  const error = await write.then(
    () => null,
    (err: unknown) => err as { message: string; meta?: unknown },
  );
  expect(error, "the write went through").not.toBeNull();
  expect(`${error?.message} ${JSON.stringify(error?.meta)}`).toContain("the audit log is append-only");
}

/** The cells of one CSV line (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? ""),
  );
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += chunk;
  return text;
}

/** API tokens, project memberships and the audit log, run against each provider by its own test file. */
export function accountsSuite(newDatabase: DatabaseFactory): void {
  let db: TestDatabase;
  let store: Store;
  let projectId: number;
  let otherProjectId: number;

  const user = (id: string) =>
    store.prisma.user.create({ data: { id, name: id.toUpperCase(), email: `${id}@example.org` } });

  beforeAll(async () => {
    db = await newDatabase();
    store = await openStore(db.url);
    await migrate(store);
    for (const id of ["ann", "bob", "cat", "dan"]) await user(id);
    projectId = (await store.prisma.project.create({ data: { name: "chest" } })).id;
    otherProjectId = (await store.prisma.project.create({ data: { name: "other" } })).id;
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("creates a token shown once and stores only its SHA-256 and prefix", async () => {
    const { token, record } = await createApiToken(store, "ann", " laptop ");
    expect(token).toMatch(/^cxr_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      name: "laptop",
      prefix: token.slice(4, 12),
      revokedAt: null,
      lastUsedAt: null,
    });
    const stored = await store.prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(stored.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    const listed = await listApiTokens(store, "ann");
    expect(listed.map((t) => t.id)).toContain(record.id);
    expect(listed.every((t) => !("tokenHash" in t))).toBe(true);
    expect(await listApiTokens(store, "bob")).toEqual([]);
    await expect(createApiToken(store, "ann", "  ")).rejects.toThrow(/name/);
    await expect(
      createApiToken(store, "ann", "old", { expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toThrow(/future/);
  });

  it("authenticates a valid token and refuses unknown, malformed, revoked and expired ones", async () => {
    const { token, record } = await createApiToken(store, "bob", "ci");
    expect(await authenticateApiToken(store, token)).toEqual({ userId: "bob", tokenId: record.id });
    // One character changed (a random token may already end in "A").
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await authenticateApiToken(store, altered)).toBeNull();
    expect(await authenticateApiToken(store, token.slice(4))).toBeNull();
    expect(await authenticateApiToken(store, "")).toBeNull();

    const expiring = await createApiToken(store, "bob", "short", {
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await authenticateApiToken(store, expiring.token)).not.toBeNull();
    await store.prisma.apiToken.update({
      where: { id: expiring.record.id },
      data: { expiresAt: new Date() },
    });
    expect(await authenticateApiToken(store, expiring.token)).toBeNull();

    // Someone else's token is "not found" and keeps working; the owner's revocation ends it.
    expect(await revokeApiToken(store, "ann", record.id)).toBeNull();
    expect(await authenticateApiToken(store, token)).not.toBeNull();
    const revoked = await revokeApiToken(store, "bob", record.id);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateApiToken(store, token)).toBeNull();
    // Revoking again keeps the first revocation time.
    expect((await revokeApiToken(store, "bob", record.id))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await revokeApiToken(store, "bob", 999_999)).toBeNull();
  });

  it("records lastUsedAt at most once a minute", async () => {
    const { token, record } = await createApiToken(store, "cat", "worker");
    const lastUsed = async () =>
      (await store.prisma.apiToken.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt;
    await authenticateApiToken(store, token);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await authenticateApiToken(store, token);
    expect(await lastUsed()).toEqual(first);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await store.prisma.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: twoMinutesAgo } });
    await authenticateApiToken(store, token);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 100_000);
  });

  it("adds members by email, changes roles and lists a user's projects with their role", async () => {
    await expect(setMember(store, projectId, "nobody@example.org", "viewer")).rejects.toMatchObject({
      reason: "no-account",
    });
    await expect(setMember(store, projectId, "ann@example.org", "owner")).rejects.toMatchObject({
      reason: "bad-role",
    });
    await expect(setMember(store, 999_999, "ann@example.org", "viewer")).rejects.toMatchObject({
      reason: "no-project",
    });
    const ann = await setMember(store, projectId, " ANN@example.org ", "admin");
    expect(ann).toMatchObject({ userId: "ann", email: "ann@example.org", role: "admin" });
    await setMember(store, projectId, "bob@example.org", "viewer");
    await setMember(store, projectId, "bob@example.org", "clinician");
    await setMember(store, otherProjectId, "bob@example.org", "admin");

    expect((await projectMembers(store, projectId)).map((m) => [m.email, m.role])).toEqual([
      ["ann@example.org", "admin"],
      ["bob@example.org", "clinician"],
    ]);
    expect((await listProjects(store, "bob")).map((p) => [p.name, p.role, p.memberCount])).toEqual([
      ["chest", "clinician", 2],
      ["other", "admin", 1],
    ]);
    expect(await listProjects(store, "dan")).toEqual([]);
  });

  it("never lets a project lose its last admin", async () => {
    await expect(setMember(store, projectId, "ann@example.org", "researcher")).rejects.toMatchObject({
      reason: "last-admin",
    });
    await expect(removeMember(store, projectId, "ann")).rejects.toBeInstanceOf(MembershipError);
    await expect(removeMember(store, projectId, "dan")).rejects.toMatchObject({ reason: "not-member" });

    await setMember(store, projectId, "cat@example.org", "admin");
    // Two admins demoting each other at once: exactly one of them succeeds.
    const outcomes = await Promise.allSettled([
      setMember(store, projectId, "ann@example.org", "viewer"),
      setMember(store, projectId, "cat@example.org", "viewer"),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected");
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ reason: "last-admin" });
    const admins = (await projectMembers(store, projectId)).filter((m) => m.role === "admin");
    expect(admins).toHaveLength(1);

    await setMember(store, projectId, "dan@example.org", "admin");
    const removed = await removeMember(store, projectId, admins[0]!.userId);
    expect(removed.role).toBe("admin");
    expect((await projectMembers(store, projectId)).map((m) => m.userId)).not.toContain(admins[0]!.userId);
  });

  it("appends audit events and lists them newest first with filters and pages", async () => {
    const base = { actorId: "ann", actorEmail: "ann@example.org", ip: "10.0.0.1", userAgent: "vitest" };
    await appendAuditEvent(store, {
      ...base,
      action: "member.set",
      targetType: "user",
      targetId: "bob",
      projectId,
    });
    await appendAuditEvent(store, {
      ...base,
      action: "member.remove",
      targetType: "user",
      targetId: "cat",
      projectId,
    });
    await appendAuditEvent(store, {
      actorId: "bob",
      actorEmail: "bob@example.org",
      action: "patient.view",
      targetType: "patient",
      targetId: "7",
      projectId: otherProjectId,
      details: { note: 'said "hi", then left', n: 2 },
    });
    await appendAuditEvent(store, { actorId: "bob", actorEmail: "bob@example.org", action: "token.create" });

    const all = await listAuditEvents(store);
    expect(all.total).toBe(4);
    expect(all.items.map((e) => e.action)).toEqual([
      "token.create",
      "patient.view",
      "member.remove",
      "member.set",
    ]);
    expect(all.items[1]?.details).toEqual({ note: 'said "hi", then left', n: 2 });

    const scoped = await listAuditEvents(store, { projectIds: [projectId] });
    expect(scoped.items.map((e) => e.action)).toEqual(["member.remove", "member.set"]);
    const withUnscoped = await listAuditEvents(store, { projectIds: [projectId], includeUnscoped: true });
    expect(withUnscoped.total).toBe(3);
    expect((await listAuditEvents(store, { action: "member." })).total).toBe(2);
    expect((await listAuditEvents(store, { action: "member" })).total).toBe(0);
    expect((await listAuditEvents(store, { actor: "BOB@" })).total).toBe(2);
    expect((await listAuditEvents(store, { targetType: "patient", targetId: "7" })).total).toBe(1);
    expect((await listAuditEvents(store, { before: new Date(Date.now() - 3_600_000) })).total).toBe(0);
    expect((await listAuditEvents(store, { from: new Date(Date.now() - 3_600_000) })).total).toBe(4);

    const second = await listAuditEvents(store, {}, { page: 2, pageSize: 3 });
    expect(second).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(second.items.map((e) => e.action)).toEqual(["member.set"]);
  });

  it("exports the log oldest first as JSON Lines and as CSV with quoted cells", async () => {
    const lines = (await collect(exportAuditEvents(store, {}, "jsonl"))).trimEnd().split("\n");
    const events = lines.map(
      (line) => JSON.parse(line) as { action: string; details: unknown; createdAt: string },
    );
    expect(events.map((e) => e.action)).toEqual([
      "member.set",
      "member.remove",
      "patient.view",
      "token.create",
    ]);
    expect(events[2]?.details).toEqual({ note: 'said "hi", then left', n: 2 });
    expect(Number.isNaN(Date.parse(events[0]!.createdAt))).toBe(false);

    const csv = await collect(exportAuditEvents(store, { projectIds: [otherProjectId] }, "csv"));
    const [header, row, ...rest] = csv.split("\n");
    expect(header).toBe(
      "id,createdAt,actorId,actorEmail,action,targetType,targetId,projectId,ip,userAgent,details",
    );
    expect(rest).toEqual([""]);
    const cells = csvCells(row!);
    expect(cells.slice(2, 10)).toEqual([
      "bob",
      "bob@example.org",
      "patient.view",
      "patient",
      "7",
      String(otherProjectId),
      "",
      "",
    ]);
    expect(JSON.parse(cells[10]!)).toEqual({ note: 'said "hi", then left', n: 2 });
  });

  it("exports more events than one read batch without repeating or dropping any", async () => {
    const before = (await listAuditEvents(store)).total;
    await store.prisma.auditEvent.createMany({
      data: Array.from({ length: 1203 }, (_, i) => ({ action: "bulk.test", targetId: String(i) })),
    });
    const lines = (await collect(exportAuditEvents(store, { action: "bulk.test" }, "jsonl")))
      .trimEnd()
      .split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { targetId: string }).targetId)).toEqual(
      Array.from({ length: 1203 }, (_, i) => String(i)),
    );
    expect((await listAuditEvents(store)).total).toBe(before + 1203);
  });

  it("neutralises spreadsheet formulas in CSV cells", async () => {
    await appendAuditEvent(store, {
      action: "formula.test",
      actorEmail: '=HYPERLINK("http://x")',
      userAgent: "@SUM(1)",
    });
    const csv = await collect(exportAuditEvents(store, { action: "formula.test" }, "csv"));
    const cells = csvCells(csv.split("\n")[1]!);
    expect(cells[3]).toBe(`'=HYPERLINK("http://x")`);
    expect(cells[9]).toBe("'@SUM(1)");
  });

  it("refuses UPDATE and DELETE on the audit log in the database itself", async () => {
    const event = await appendAuditEvent(store, { action: "tamper.test" });
    const count = await store.prisma.auditEvent.count();
    await expectAppendOnlyRefusal(
      store.prisma.auditEvent.update({ where: { id: event.id }, data: { action: "x" } }),
    );
    await expectAppendOnlyRefusal(store.prisma.auditEvent.deleteMany({ where: { id: event.id } }));
    await expectAppendOnlyRefusal(store.prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent"`));
    await expectAppendOnlyRefusal(store.prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorId" = 'x'`));
    expect((await store.prisma.auditEvent.findUniqueOrThrow({ where: { id: event.id } })).action).toBe(
      "tamper.test",
    );
    expect(await store.prisma.auditEvent.count()).toBe(count);
  });
}
