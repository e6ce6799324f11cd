import type { Store } from "@cxrlab/db";
import { appendAuditEvent } from "@cxrlab/db";
import { requestOrigin, type Viewer } from "./viewer.ts";

/** What an audited change or patient-data view records beside who, when and from where. */
export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  projectId?: number | null;
  details?: Record<string, unknown>;
}

export type Audit = (entry: AuditEntry) => Promise<void>;

/** Appends audit events as `viewer`, from the client the headers name. */
export function auditAs(store: Store, viewer: Viewer, headers: Headers): Audit {
  const origin = requestOrigin(headers);
  return async (entry) => {
    await appendAuditEvent(store, {
      actorId: viewer.userId,
      actorEmail: viewer.email,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      projectId: entry.projectId ?? null,
      ...origin,
      details: (entry.details as never) ?? null,
    });
  };
}
