import {
  isRole,
  OPERATIONS,
  type Operation,
  type Permission,
  type Role,
  roleCan,
} from "@cxrlab/core/access/roles";
import type { Store } from "@cxrlab/db";

/** What the viewer may do, for one operation: the role table applied to their memberships. */
export interface Access {
  /** Projects where the viewer meets the operation's requirement (every membership for "account" ones). */
  projectIds: number[];
  /** Throws AccessDenied unless the viewer meets the operation's requirement in `projectId`. */
  require(projectId: number | null | undefined): void;
  can(permission: Permission, projectId: number | null | undefined): boolean;
  role(projectId: number | null | undefined): Role | null;
}

export class AccessDenied extends Error {
  constructor(readonly operation: Operation) {
    super(`your role does not allow ${operation} here`);
    this.name = "AccessDenied";
  }
}

/** The viewer's role in each project they belong to. */
export async function loadRoles(store: Store, userId: string): Promise<Map<number, Role>> {
  const rows = await store.prisma.membership.findMany({
    where: { userId },
    select: { projectId: true, role: true },
  });
  return new Map(rows.flatMap((r) => (isRole(r.role) ? [[r.projectId, r.role] as const] : [])));
}

export function accessFor(roles: Map<number, Role>, operation: Operation): Access {
  const requirement = OPERATIONS[operation];
  const role = (projectId: number | null | undefined) =>
    projectId === null || projectId === undefined ? null : (roles.get(projectId) ?? null);
  const can = (permission: Permission, projectId: number | null | undefined) => {
    const r = role(projectId);
    return r !== null && roleCan(r, permission);
  };
  const meets = (projectId: number | null | undefined) =>
    requirement === "account" ? role(projectId) !== null : can(requirement, projectId);
  return {
    projectIds: [...roles.keys()].filter(meets),
    require(projectId) {
      if (!meets(projectId)) throw new AccessDenied(operation);
    },
    can,
    role,
  };
}

/**
 * What the account may do for `operation`; AccessDenied when the operation needs a permission the
 * account holds in no project (what every procedure and HTTP route checks first).
 */
export async function operationAccess(store: Store, userId: string, operation: Operation): Promise<Access> {
  const access = accessFor(await loadRoles(store, userId), operation);
  if (OPERATIONS[operation] !== "account" && access.projectIds.length === 0)
    throw new AccessDenied(operation);
  return access;
}
