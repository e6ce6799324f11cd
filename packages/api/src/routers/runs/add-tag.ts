import { runExists, tagRun } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZRunTagInput } from "./tag.types.ts";

export const addTagRoute = publicProcedure.input(ZRunTagInput).mutation(async ({ ctx, input }) => {
  found((await runExists(ctx.store, input.id)) || null, `run ${input.id}`);
  return { id: input.id, tags: await tagRun(ctx.store, input.id, [input.tag]) };
});
