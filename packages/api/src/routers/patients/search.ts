import { listPatients } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { ZSearchPatientsInput } from "./search.types.ts";

export const searchPatientsRoute = operationProcedure("patients.search")
  .input(ZSearchPatientsInput.optional())
  .query(async ({ ctx, input }) => {
    const { q, page, pageSize } = input ?? ZSearchPatientsInput.parse({});
    const result = await listPatients(ctx.store, {
      ...(q ? { q } : {}),
      projectIds: ctx.access.projectIds,
      page,
      pageSize,
    });
    // A list of identities is a view of patient data.
    await ctx.audit({
      action: "patient.search",
      targetType: "patient",
      targetId: result.items.map((p) => p.id).join(",") || undefined,
      details: { q: q ?? null, page, results: result.items.length },
    });
    // The page and its size come back so that pagers need not repeat the defaults.
    return { ...result, page, pageSize };
  });
