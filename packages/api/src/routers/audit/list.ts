import { listAuditEvents } from "@cxrlab/db";
import { scopedAuditFilters } from "../../audit/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZListAuditInput } from "./list.types.ts";

/** The audit log of the projects the viewer audits, newest first. */
export const listAuditRoute = operationProcedure("audit.list")
  .input(ZListAuditInput.optional())
  .query(({ ctx, input }) => {
    const { page, pageSize, ...filters } = input ?? ZListAuditInput.parse({});
    return listAuditEvents(ctx.store, scopedAuditFilters(filters, ctx.access), { page, pageSize });
  });
