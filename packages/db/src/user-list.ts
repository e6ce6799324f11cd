import type { Role } from "@cxrlab/validators/roles";
import { unexpiredApiTokens } from "./api-tokens.ts";
import type { Store } from "./store.ts";

export interface UserSummary {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  mustChangePassword: boolean;
  /** When an admin disabled the account (`cxrlab users disable`); null while it is enabled. */
  disabledAt: Date | null;
  /** Project name and role, by project name. */
  memberships: { project: string; projectId: number; role: Role }[];
  /** API tokens neither revoked nor expired. */
  activeTokens: number;
}

/** Every account of the store, by email (the CLI's `users list`). */
export async function listUsers(store: Store): Promise<UserSummary[]> {
  const now = new Date();
  const users = await store.prisma.user.findMany({
    orderBy: { email: "asc" },
    select: {
      id: true,
      email: true,
      name: true,
      createdAt: true,
      mustChangePassword: true,
      disabledAt: true,
      memberships: { select: { role: true, project: { select: { id: true, name: true } } } },
      _count: {
        select: {
          apiTokens: { where: { revokedAt: null, ...unexpiredApiTokens(now) } },
        },
      },
    },
  });
  return users.map(({ memberships, _count, ...user }) => ({
    ...user,
    memberships: memberships
      .map((m) => ({ project: m.project.name, projectId: m.project.id, role: m.role as Role }))
      .sort((a, b) => a.project.localeCompare(b.project)),
    activeTokens: _count.apiTokens,
  }));
}
