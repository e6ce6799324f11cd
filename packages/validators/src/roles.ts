/**
 * Who may do what, as data: the API enforces this table on the server for every procedure and image
 * route, and the access tests iterate it. A member's role applies within one project.
 */

export const ROLES = ["viewer", "researcher", "clinician", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Runs, metrics, predictions and the images they were made on (no patient identifiers). */
  "runs:read",
  /** Tags, notes, comments and stars on runs. */
  "runs:annotate",
  /** Queue and cancel runs; promote a run's model to the project's default. */
  "runs:create",
  /** How models do on arriving images: agreement with reviewers, input drift (no patient identity). */
  "monitoring:read",
  /** Patient identities, their image history and their images. */
  "patients:read",
  /** Add images to the patient archive. */
  "patients:write",
  /** The worklist (archive images with their patients) and confirming or correcting its predictions. */
  "images:review",
  /** Members and their roles, project settings. */
  "project:admin",
  /** The audit log and its export. */
  "audit:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = ["runs:read"];
const RESEARCHER: readonly Permission[] = [...VIEWER, "runs:annotate", "runs:create", "monitoring:read"];
const CLINICIAN: readonly Permission[] = [...RESEARCHER, "patients:read", "patients:write", "images:review"];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: VIEWER,
  researcher: RESEARCHER,
  clinician: CLINICIAN,
  admin: PERMISSIONS,
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * What an operation needs: a permission in the project the thing it touches belongs to, or only a
 * signed-in account (`"account"`: the caller's own tokens, profile and project list).
 */
export type Requirement = Permission | "account";

/**
 * Every tRPC procedure (by path) and every HTTP route of the dashboard's API, with what it needs.
 * The API builds each procedure from its entry here, and a test checks the two name the same set.
 */
export const OPERATIONS = {
  "runs.list": "runs:read",
  "runs.facets": "runs:read",
  "runs.get": "runs:read",
  "runs.compare": "runs:read",
  "runs.addTag": "runs:annotate",
  "runs.removeTag": "runs:annotate",
  "runs.addNote": "runs:annotate",
  "runs.comments": "runs:read",
  "runs.addComment": "runs:annotate",
  "runs.star": "runs:annotate",
  "runs.unstar": "runs:annotate",
  "runs.promote": "runs:create",
  "runs.promotions": "runs:read",
  "runs.create": "runs:create",
  "runs.cancel": "runs:create",
  "predictions.list": "runs:read",
  "images.get": "runs:read",
  "patients.search": "patients:read",
  "patients.get": "patients:read",
  "reviews.worklist": "images:review",
  "reviews.submit": "images:review",
  "monitoring.project": "monitoring:read",
  "monitoring.run": "monitoring:read",
  "datasets.list": "runs:read",
  "datasets.get": "runs:read",
  /** A dataset is a training input, made to queue runs on: whoever may queue runs may make one. */
  "datasets.create": "runs:create",
  "pacs.holdings": "patients:read",
  "pacs.pull": "patients:write",
  "pacs.push": "patients:write",
  "projects.list": "account",
  "projects.members": "runs:read",
  "projects.setMember": "project:admin",
  "projects.removeMember": "project:admin",
  "tokens.list": "account",
  "tokens.create": "account",
  "tokens.revoke": "account",
  "account.me": "account",
  "account.mentions": "account",
  "account.passwordChanged": "account",
  "audit.list": "audit:read",
  "http.image": "runs:read",
  "http.thumbnail": "runs:read",
  "http.gradcam": "runs:read",
  "http.upload": "patients:write",
  "http.auditExport": "audit:read",
} as const satisfies Record<string, Requirement>;

export type Operation = keyof typeof OPERATIONS;

/**
 * All an account still on its generated one-time password may do (the password page's needs:
 * who it is, and recording the change); everything else is refused until it chooses its own.
 * Signing out and the change itself are the accounts library's routes, outside this table.
 */
export const BEFORE_PASSWORD_CHANGE: ReadonlySet<Operation> = new Set<Operation>([
  "account.me",
  "account.passwordChanged",
]);
