import { addRunNote } from "@cxrlab/db";
import { requireRun } from "../../auth/scope.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZAddNoteInput } from "./add-note.types.ts";

export const addNoteRoute = operationProcedure("runs.addNote")
  .input(ZAddNoteInput)
  .mutation(async ({ ctx, input }) => {
    const projectId = await requireRun(ctx, input.id);
    const note = await addRunNote(ctx.store, input.id, input.body);
    await ctx.audit({ action: "run.note", targetType: "run", targetId: String(input.id), projectId });
    return note;
  });
