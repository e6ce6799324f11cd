import { runExists, untagRun } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZRunTagInput } from "./tag.types.ts";

export const removeTagRoute = publicProcedure.input(ZRunTagInput).mutation(async ({ ctx, input }) => {
  found((await runExists(ctx.store, input.id)) || null, `run ${input.id}`);
  return { id: input.id, tags: await untagRun(ctx.store, input.id, input.tag) };
});
