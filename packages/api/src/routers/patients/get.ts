import { getPatientHistory } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZGetPatientInput } from "./get.types.ts";

export const getPatientRoute = publicProcedure
  .input(ZGetPatientInput)
  .query(async ({ ctx, input }) =>
    found(await getPatientHistory(ctx.store, { id: input.id }), `patient ${input.id}`),
  );
