import { addRunNote, runExists } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZAddNoteInput } from "./add-note.types.ts";

export const addNoteRoute = publicProcedure.input(ZAddNoteInput).mutation(async ({ ctx, input }) => {
  found((await runExists(ctx.store, input.id)) || null, `run ${input.id}`);
  return addRunNote(ctx.store, input.id, input.body);
});
