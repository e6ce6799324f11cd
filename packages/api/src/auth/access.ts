import type { Store } from "@cxrlab/db";
import {
  BEFORE_PASSWORD_CHANGE,
  isRole,
  OPERATIONS,
  type Operation,
  type Permission,
  type Role,
  roleCan,
} from "@cxrlab/validators/roles";
import type { Viewer } from "./viewer.ts";

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
  constructor(
    readonly operation: Operation,
    message = `your role does not allow ${operation} here`,
  ) {
    super(message);
    this.name = "AccessDenied";
  }
}

/** Refused (403 like any AccessDenied) because the account has not replaced its one-time password yet. */
export class PasswordChangeRequired extends AccessDenied {
  constructor(operation: Operation) {
    super(
      operation,
      "your password must be changed first: this account still has its one-time password " +
        "(choose your own in the dashboard, at /account/password)",
    );
    this.name = "PasswordChangeRequired";
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
 * account holds in no project, PasswordChangeRequired when it is still on its one-time password and
 * the operation is not one changing it needs (what every procedure and HTTP route checks first).
 */
export async function operationAccess(
  store: Store,
  viewer: Pick<Viewer, "userId" | "mustChangePassword">,
  operation: Operation,
): Promise<Access> {
  if (viewer.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(operation))
    throw new PasswordChangeRequired(operation);
  const access = accessFor(await loadRoles(store, viewer.userId), operation);
  if (OPERATIONS[operation] !== "account" && access.projectIds.length === 0)
    throw new AccessDenied(operation);
  return access;
}
