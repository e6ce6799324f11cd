import os from "node:os";
import {
  type AuditEventInput,
  appendAuditEvent,
  demographicEvents,
  type IngestReport,
  type Store,
} from "@cxrlab/db";

/**
 * Who acts from the CLI: the machine's user on the store directly (no account). The audit log
 * records CLI changes and patient-data views too, so the dashboard's audit page shows them.
 */
export function cliActor() {
  return {
    actorId: null,
    actorEmail: null,
    ip: null,
    userAgent: `cxrlab-cli (${os.userInfo().username}@${os.hostname()})`,
  };
}

/** Appends an audit event made by this CLI process. */
export async function auditCli(
  store: Store,
  event: Omit<AuditEventInput, keyof ReturnType<typeof cliActor>>,
) {
  await appendAuditEvent(store, { ...cliActor(), ...event });
}

/**
 * The audit events of an ingest report: `patient.image.ingest` for each new image (`details` adds
 * where it came from), and each demographic conflict or fill.
 */
export async function auditIngest(store: Store, report: IngestReport, details: Record<string, string> = {}) {
  for (const file of report.new)
    await auditCli(store, {
      action: "patient.image.ingest",
      targetType: "image",
      targetId: String(file.imageId),
      projectId: file.projectId,
      details: { file: file.file, patientId: file.patientId, ...details },
    });
  for (const event of demographicEvents(report)) await auditCli(store, event);
}
