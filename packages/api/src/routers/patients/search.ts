import { listPatients } from "@cxrlab/db";
import { publicProcedure } from "../../trpc.ts";
import { ZSearchPatientsInput } from "./search.types.ts";

export const searchPatientsRoute = publicProcedure
  .input(ZSearchPatientsInput.optional())
  .query(async ({ ctx, input }) => {
    const { q, page, pageSize } = input ?? ZSearchPatientsInput.parse({});
    const result = await listPatients(ctx.store, { ...(q ? { q } : {}), page, pageSize });
    // The page and its size come back so that pagers need not repeat the defaults.
    return { ...result, page, pageSize };
  });
