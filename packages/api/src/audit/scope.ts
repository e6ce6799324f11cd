import type { AuditFilters } from "@cxrlab/db";
import type { z } from "zod";
import type { Access } from "../auth/access.ts";
import type { ZAuditFilters } from "../routers/audit/list.types.ts";

/**
 * The store's filters for what the viewer asked, limited to the projects they may audit: one project
 * (AccessDenied unless they audit it) or all of theirs. Events without a project (sign-ins, API
 * tokens, patient searches, whole-log exports) concern accounts rather than one project: they are
 * shown to every viewer who audits at least one project, with "all projects".
 */
export function scopedAuditFilters(input: z.output<typeof ZAuditFilters>, access: Access): AuditFilters {
  const { projectId, to, ...rest } = input;
  if (projectId !== undefined) access.require(projectId);
  return {
    ...rest,
    ...(to ? { before: to } : {}),
    projectIds: projectId !== undefined ? [projectId] : access.projectIds,
    includeUnscoped: projectId === undefined && access.projectIds.length > 0,
  };
}
