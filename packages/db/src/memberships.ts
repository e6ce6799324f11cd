import { isRole, type Role } from "@cxrlab/validators/roles";
import type { Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store, StoreClient } from "./store.ts";

export interface ProjectWithRole {
  id: number;
  name: string;
  description: string | null;
  createdAt: Date;
  /** The user's role in it. */
  role: Role;
  memberCount: number;
}

export interface ProjectMember {
  userId: string;
  email: string;
  name: string;
  role: Role;
  /** When the user joined the project. */
  since: Date;
}

/** Why a change to a project's members was refused; the API turns `reason` into its error code. */
export class MembershipError extends Error {
  constructor(
    readonly reason: "no-project" | "no-account" | "not-member" | "last-admin" | "bad-role",
    message: string,
  ) {
    super(message);
    this.name = "MembershipError";
  }
}

/** The projects `userId` is a member of, by name. */
export async function listProjects(store: Store, userId: string): Promise<ProjectWithRole[]> {
  const memberships = await store.prisma.membership.findMany({
    where: { userId },
    select: { role: true, project: { include: { _count: { select: { memberships: true } } } } },
    orderBy: { project: { name: "asc" } },
  });
  return memberships.map(({ role, project: { _count, ...project } }) => ({
    ...project,
    role: role as Role,
    memberCount: _count.memberships,
  }));
}

/** Every project, by name (for the CLI's admin commands, which act as the machine's owner). */
export async function listAllProjects(store: Store): Promise<Omit<ProjectWithRole, "role">[]> {
  const projects = await store.prisma.project.findMany({
    include: { _count: { select: { memberships: true } } },
    orderBy: { name: "asc" },
  });
  return projects.map(({ _count, ...project }) => ({ ...project, memberCount: _count.memberships }));
}

/** The id of the project named `name`, created when there is none (as runs and new accounts do). */
export async function ensureProject(store: Store, name: string): Promise<{ id: number; created: boolean }> {
  const trimmed = name.trim();
  if (!trimmed) throw new MembershipError("no-project", "a project needs a name");
  return findOrCreateProject(store.prisma, trimmed);
}

/**
 * The project `name`'s id, made if missing (`created`). Two requests may make the same new project
 * at once (Prisma's connectOrCreate and upsert both read, then insert): the one whose insert loses
 * on the unique name reads the winner's row. Inside a PostgreSQL transaction the lost insert aborts
 * the transaction, so that caller fails instead.
 */
export async function findOrCreateProject(
  client: Pick<StoreClient, "project"> | Prisma.TransactionClient,
  name: string,
): Promise<{ id: number; created: boolean }> {
  const find = () => client.project.findUnique({ where: { name }, select: { id: true } });
  const existing = await find();
  if (existing) return { id: existing.id, created: false };
  try {
    const { id } = await client.project.create({ data: { name }, select: { id: true } });
    return { id, created: true };
  } catch (error) {
    const winner = (error as { code?: unknown }).code === "P2002" ? await find() : null;
    if (!winner) throw error;
    return { id: winner.id, created: false };
  }
}

export async function projectMembers(store: Store, projectId: number): Promise<ProjectMember[]> {
  const rows = await store.prisma.membership.findMany({
    where: { projectId },
    select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
    orderBy: { user: { email: "asc" } },
  });
  return rows.map(({ role, createdAt, user }) => ({
    userId: user.id,
    email: user.email,
    name: user.name,
    role: role as Role,
    since: createdAt,
  }));
}

/**
 * Gives the account with `email` the role `role` in the project (adding it, or changing its role).
 * Demoting the project's last admin is refused, so a project never loses its administrators.
 */
export async function setMember(
  store: Store,
  projectId: number,
  email: string,
  role: string,
): Promise<ProjectMember> {
  if (!isRole(role)) throw new MembershipError("bad-role", `unknown role: ${role}`);
  const address = email.trim().toLowerCase();
  return inSerializableTransaction(store, async (tx) => {
    await requireProject(tx, projectId);
    const user = await tx.user.findUnique({
      where: { email: address },
      select: { id: true, email: true, name: true },
    });
    if (!user) throw new MembershipError("no-account", `no account with the email ${address}`);
    const current = await tx.membership.findUnique({
      where: { projectId_userId: { projectId, userId: user.id } },
    });
    if (current?.role === "admin" && role !== "admin") await requireAnotherAdmin(tx, projectId, address);
    const membership = await tx.membership.upsert({
      where: { projectId_userId: { projectId, userId: user.id } },
      create: { projectId, userId: user.id, role },
      update: { role },
    });
    return { userId: user.id, email: user.email, name: user.name, role, since: membership.createdAt };
  });
}

/** Removes `userId` from the project; refused for its last admin. Returns the removed membership. */
export async function removeMember(store: Store, projectId: number, userId: string): Promise<ProjectMember> {
  return inSerializableTransaction(store, async (tx) => {
    await requireProject(tx, projectId);
    const current = await tx.membership.findUnique({
      where: { projectId_userId: { projectId, userId } },
      select: { role: true, createdAt: true, user: { select: { email: true, name: true } } },
    });
    if (!current)
      throw new MembershipError("not-member", `account ${userId} is not a member of project ${projectId}`);
    if (current.role === "admin") await requireAnotherAdmin(tx, projectId, current.user.email);
    await tx.membership.delete({ where: { projectId_userId: { projectId, userId } } });
    return { userId, ...current.user, role: current.role as Role, since: current.createdAt };
  });
}

type Transaction = Parameters<Parameters<StoreClient["$transaction"]>[0]>[0];

/**
 * Two admins demoting each other at once must not both succeed: the admin count is read and the
 * change written in one serializable transaction, retried when the database reports a conflict.
 */
function inSerializableTransaction<T>(store: Store, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return retryWhenBusy(() => store.prisma.$transaction(work, { isolationLevel: "Serializable" }));
}

async function requireProject(tx: Transaction, projectId: number): Promise<void> {
  const project = await tx.project.findUnique({ where: { id: projectId }, select: { id: true } });
  if (!project) throw new MembershipError("no-project", `project ${projectId} not found`);
}

/** Refused unless the project keeps an enabled admin other than `leaving` (an email). */
async function requireAnotherAdmin(tx: Transaction, projectId: number, leaving: string): Promise<void> {
  const others = await tx.membership.count({
    where: { projectId, role: "admin", user: { disabledAt: null, email: { not: leaving } } },
  });
  if (others === 0) {
    throw new MembershipError(
      "last-admin",
      `${leaving} is the last admin of project ${projectId} (disabled accounts do not count); make another member admin first`,
    );
  }
}

/**
 * Disables (or enables again) the account with `email`. Disabling ends its sessions and revokes its
 * API tokens in the same transaction; it is refused when the account is the last enabled admin of
 * one of its projects, as demoting it would be. Enabling does not bring tokens back.
 */
export async function setUserDisabled(
  store: Store,
  email: string,
  disabled: boolean,
): Promise<{ id: string; email: string; disabledAt: Date | null }> {
  const address = email.trim().toLowerCase();
  return inSerializableTransaction(store, async (tx) => {
    const user = await tx.user.findUnique({
      where: { email: address },
      select: {
        id: true,
        email: true,
        memberships: { where: { role: "admin" }, select: { projectId: true } },
      },
    });
    if (!user) throw new MembershipError("no-account", `no account with the email ${address}`);
    if (!disabled) {
      return tx.user.update({
        where: { id: user.id },
        data: { disabledAt: null },
        select: { id: true, email: true, disabledAt: true },
      });
    }
    for (const { projectId } of user.memberships) await requireAnotherAdmin(tx, projectId, user.email);
    const now = new Date();
    const updated = await tx.user.update({
      where: { id: user.id },
      data: { disabledAt: now },
      select: { id: true, email: true, disabledAt: true },
    });
    await tx.session.deleteMany({ where: { userId: user.id } });
    await tx.apiToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
    return updated;
  });
}
