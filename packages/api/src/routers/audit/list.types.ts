import { z } from "zod";
import { ZDateFrom, ZDateTo, ZPage, ZPageSize } from "../../inputs.ts";

/**
 * What the audit log can be narrowed to, shared by the list and the CSV/JSON Lines export (whose
 * query string arrives as text, hence the coercion of the project id).
 */
export const ZAuditFilters = z.object({
  /** One project the viewer audits; default: all of them. */
  projectId: z.coerce.number().int().positive().optional(),
  /** Part of the actor's email. */
  actor: z.string().trim().min(1).max(200).optional(),
  /** An action, or a prefix ending in "." ("member."). */
  action: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(100).optional(),
  targetId: z.string().trim().min(1).max(200).optional(),
  from: ZDateFrom.optional(),
  /** Inclusive; a bare date means the whole day. */
  to: ZDateTo.optional(),
});

export const ZListAuditInput = ZAuditFilters.extend({
  page: ZPage.default(1),
  pageSize: ZPageSize.default(50),
});

export type AuditFiltersInput = z.input<typeof ZAuditFilters>;
export type ListAuditInput = z.input<typeof ZListAuditInput>;
