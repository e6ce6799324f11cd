import os from "node:os";
import { type AuditEventInput, appendAuditEvent, type Store } from "@cxrlab/db";

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
