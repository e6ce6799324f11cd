import { getRun } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZGetRunInput } from "./get.types.ts";

export const getRunRoute = publicProcedure
  .input(ZGetRunInput)
  .query(async ({ ctx, input }) => found(await getRun(ctx.store, input.id), `run ${input.id}`));
