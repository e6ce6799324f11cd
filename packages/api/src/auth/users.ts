import { randomBytes } from "node:crypto";
import {
  DEFAULT_PROJECT,
  findOrCreateProject,
  revokeAllApiTokens,
  type Store,
  setUserDisabled,
} from "@cxrlab/db";
import { isRole, type Role } from "@cxrlab/validators/roles";
import { getAuth, MIN_PASSWORD_LENGTH } from "./auth.ts";

export interface NewUser {
  email: string;
  name?: string;
  /** Default: a generated one-time password, to be changed at the first sign-in, within 72 hours. */
  password?: string;
  /** With `project` (default "default"): the membership the account starts with. */
  role?: Role;
  project?: string;
}

export interface CreatedUser {
  user: { id: string; email: string; name: string };
  /** The password to hand over; shown once, never stored in clear. */
  password: string;
  /** True when `password` was generated here. */
  oneTime: boolean;
}

/** A password of 20 characters from an alphabet without look-alikes (about 115 bits). */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join("");
}

const normalEmail = (email: string) => email.trim().toLowerCase();

/** Creates an email + password account (the library hashes the password), optionally a project member. */
export async function createUser(store: Store, input: NewUser): Promise<CreatedUser> {
  const email = normalEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error(`not an email address: ${input.email}`);
  if (input.role !== undefined && !isRole(input.role)) throw new Error(`unknown role: ${input.role}`);
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH)
    throw new Error(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (await store.prisma.user.findUnique({ where: { email }, select: { id: true } }))
    throw new Error(`an account for ${email} exists already`);
  const oneTime = input.password === undefined;
  const password = input.password ?? generatePassword();
  const ctx = await getAuth(store).$context;
  const user = await ctx.internalAdapter.createUser(
    {
      email,
      name: input.name?.trim() || email.split("@")[0]!,
      mustChangePassword: oneTime,
    },
    { method: "admin" },
  );
  await ctx.internalAdapter.linkAccount({
    userId: user.id,
    providerId: "credential",
    accountId: user.id,
    password: await ctx.password.hash(password),
  });
  if (input.role) await addMembership(store, user.id, input.project ?? DEFAULT_PROJECT, input.role);
  return { user: { id: user.id, email: user.email, name: user.name }, password, oneTime };
}

/**
 * Replaces the account's password with a generated one-time password (its 72 hours start now) and
 * signs out its sessions and revokes its API tokens: an admin's answer to an expired or forgotten
 * password, or to a password that may have leaked.
 */
export async function issueOneTimePassword(store: Store, email: string): Promise<CreatedUser> {
  const user = await store.prisma.user.findUnique({
    where: { email: normalEmail(email) },
    select: { id: true, email: true, name: true },
  });
  if (!user) throw new Error(`no account with the email ${email}`);
  const password = generatePassword();
  const ctx = await getAuth(store).$context;
  await ctx.internalAdapter.updatePassword(user.id, await ctx.password.hash(password));
  await store.prisma.user.update({ where: { id: user.id }, data: { mustChangePassword: true } });
  await ctx.internalAdapter.deleteUserSessions(user.id);
  await revokeAllApiTokens(store, user.id);
  return { user, password, oneTime: true };
}

/** Makes `userId` a `role` in `project` (created on first use), replacing a role it had there. */
export async function addMembership(
  store: Store,
  userId: string,
  project: string,
  role: Role,
): Promise<void> {
  const { id: projectId } = await findOrCreateProject(store.prisma, project);
  await store.prisma.membership.upsert({
    where: { projectId_userId: { projectId, userId } },
    create: { projectId, userId, role },
    update: { role },
  });
}

/**
 * Disables the account with `email`: it can no longer sign in, and its sessions and API tokens stop
 * working at once (sessions deleted, tokens revoked). Refused for the last enabled admin of a project.
 */
export async function disableUser(store: Store, email: string): Promise<{ id: string; email: string }> {
  const { id, email: address } = await setUserDisabled(store, email, true);
  return { id, email: address };
}

/** Lets a disabled account sign in again (its revoked tokens stay revoked). */
export async function enableUser(store: Store, email: string): Promise<{ id: string; email: string }> {
  const { id, email: address } = await setUserDisabled(store, email, false);
  return { id, email: address };
}
