import { createApiToken } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";
import { ZCreateTokenInput } from "./create.types.ts";

const DAY_MS = 86_400_000;

/** A new API token for the viewer: the answer is the only place the token itself ever appears. */
export const createTokenRoute = operationProcedure("tokens.create")
  .input(ZCreateTokenInput)
  .mutation(async ({ ctx, input }) => {
    const created = await createApiToken(ctx.store, ctx.viewer.userId, input.name, {
      ...(input.expiresInDays ? { expiresAt: new Date(Date.now() + input.expiresInDays * DAY_MS) } : {}),
    });
    await ctx.audit({
      action: "token.create",
      targetType: "token",
      targetId: String(created.record.id),
      details: {
        name: created.record.name,
        prefix: created.record.prefix,
        expiresAt: created.record.expiresAt,
      },
    });
    return created;
  });
