import { randomUUID } from "node:crypto";
import { createCaller, createContext } from "@cxrlab/api";
import { addMembership, createUser, generatePassword } from "@cxrlab/api/auth";
import { createApiToken, DEFAULT_PROJECT, type Store } from "@cxrlab/db";
import type { Role } from "@cxrlab/validators/roles";

export interface TestAccount {
  userId: string;
  email: string;
  password: string;
  /** `Authorization: Bearer <API token>` of the account (what the CLI sends). */
  headers: Headers;
}

/** What the API answers an account still on its one-time password for anything else. */
export const PASSWORD_CHANGE_FIRST = "your password must be changed first";

/**
 * A real account (hashed password, API token) with `role` in each of `projects` (created when
 * missing; default "default"). Requests carry its token, so tests never meet the sign-in rate limit.
 */
export async function testAccount(
  store: Store,
  role: Role | null,
  projects: readonly string[] = [DEFAULT_PROJECT],
  { oneTime = false } = {},
): Promise<TestAccount> {
  const email = `${role ?? "nobody"}-${randomUUID().slice(0, 8)}@test.cxrlab`;
  // A chosen password unless `oneTime`: a generated one is a one-time password, to be changed first.
  const { user, password } = await createUser(store, {
    email,
    name: `Test ${role ?? "nobody"}`,
    ...(oneTime ? {} : { password: generatePassword() }),
  });
  if (role) for (const project of projects) await addMembership(store, user.id, project, role);
  const { token } = await createApiToken(store, user.id, "tests");
  return { userId: user.id, email, password, headers: new Headers({ authorization: `Bearer ${token}` }) };
}

/** Like testAccount, but still on the generated one-time password `cxrlab users add` prints. */
export function oneTimeAccount(store: Store, role: Role | null, projects?: readonly string[]) {
  return testAccount(store, role, projects, { oneTime: true });
}

/** An admin of every project the store has now and of "default": what the single-user tests act as. */
export async function adminOfEverything(store: Store): Promise<TestAccount> {
  const projects = await store.prisma.project.findMany({ select: { name: true } });
  return testAccount(store, "admin", [...new Set([DEFAULT_PROJECT, ...projects.map((p) => p.name)])]);
}

/** A server-side caller acting as `account` (anonymous without one). */
export async function callerAs(store: Store, account?: TestAccount) {
  return createCaller(await createContext({ store, ...(account ? { headers: account.headers } : {}) }));
}
