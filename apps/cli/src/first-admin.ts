import { addMembership, type CreatedUser, createUser } from "@cxrlab/api/auth";
import { appendAuditEvent, type Store } from "@cxrlab/db";
import { cliActor } from "./cli-audit.ts";

/** The account the demo makes on a store without any: a local admin, signed in as on first use. */
export const FIRST_ADMIN = { email: "admin@cxrlab.local", name: "Admin" } as const;

/**
 * On a store with no accounts yet: an admin of each of `projects` (created on first use) with a
 * generated one-time password, which the dashboard asks to replace at the first sign-in. Null when
 * the store has accounts already (the demo never makes a second one).
 */
export async function createFirstAdmin(
  store: Store,
  projects: readonly string[],
): Promise<CreatedUser | null> {
  if ((await store.prisma.user.count()) > 0) return null;
  const [first, ...others] = [...new Set(projects)];
  const created = await createUser(store, { ...FIRST_ADMIN, role: "admin", project: first });
  for (const project of others) await addMembership(store, created.user.id, project, "admin");
  await appendAuditEvent(store, {
    ...cliActor(),
    action: "user.create",
    targetType: "user",
    targetId: created.user.id,
    details: {
      email: created.user.email,
      role: "admin",
      projects: [...new Set(projects)],
      oneTimePassword: true,
    },
  });
  return created;
}

/** The new admin's sign-in, set apart from the training output: it is shown this once only. */
export function formatFirstAdmin(created: CreatedUser): string {
  const rule = "=".repeat(64);
  return [
    rule,
    "The dashboard's admin account (made now: the store had no accounts)",
    `  email:              ${created.user.email}`,
    `  one-time password:  ${created.password}`,
    "Sign in with these; the dashboard then asks you to choose a new password.",
    "This password is shown only now (`cxrlab users add` makes more accounts).",
    rule,
    "",
  ].join("\n");
}
