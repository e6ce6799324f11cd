import { handleAuditExport } from "@cxrlab/api/http";

export const dynamic = "force-dynamic";

/** The audit log of the projects the viewer audits, as CSV or JSON Lines (`?format=csv|jsonl`). */
export function GET(request: Request): Promise<Response> {
  return handleAuditExport(request);
}
