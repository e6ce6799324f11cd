import { AUDIT_EXPORT_FORMATS, type AuditExportFormat, exportAuditEvents } from "@cxrlab/db";
import { scopedAuditFilters } from "../audit/scope.ts";
import { sharedStore } from "../context.ts";
import { ZAuditFilters } from "../routers/audit/list.types.ts";
import { authorizeRequest } from "./authorize.ts";
import type { HandlerOptions } from "./image.ts";
import { errorResponse, HttpError } from "./responses.ts";

const CONTENT_TYPES: Record<AuditExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/jsonl; charset=utf-8",
};

/**
 * GET /api/audit/export?format=csv|jsonl[&projectId=…&actor=…&action=…&from=…&to=…]: the audit log
 * of the projects the viewer audits, oldest first, streamed. The export itself is audited.
 */
export async function handleAuditExport(request: Request, options: HandlerOptions = {}): Promise<Response> {
  try {
    const store = options.store ?? (await sharedStore());
    const { access, audit } = await authorizeRequest(request, store, "http.auditExport");
    const query = Object.fromEntries(new URL(request.url).searchParams);
    const { format = "csv", ...rest } = query;
    if (!(AUDIT_EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new HttpError(400, `format must be one of ${AUDIT_EXPORT_FORMATS.join(", ")}, got "${format}"`);
    }
    const parsed = ZAuditFilters.strict().safeParse(rest);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`);
      throw new HttpError(400, `bad audit export query: ${issues.join("; ")}`);
    }
    const filters = scopedAuditFilters(parsed.data, access);
    await audit({
      action: "audit.export",
      targetType: "audit",
      projectId: parsed.data.projectId ?? null,
      details: { format, query: rest },
    });
    const lines = exportAuditEvents(store, filters, format as AuditExportFormat);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      headers: {
        "Content-Type": CONTENT_TYPES[format as AuditExportFormat],
        "Content-Disposition": `attachment; filename="cxrlab-audit-${day}.${format}"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
