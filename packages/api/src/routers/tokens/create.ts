import { createApiToken } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { operationProcedure } from "../../trpc.ts";
import { ZCreateTokenInput } from "./create.types.ts";

const DAY_MS = 86_400_000;

/**
 * A new API token for the viewer: the answer is the only place the token itself ever appears. Only a
 * browser session (the dashboard, `cxrlab login` with a password) may mint one: a leaked token must
 * not be able to outlive its own revocation or expiry by minting another.
 */
export const createTokenRoute = operationProcedure("tokens.create")
  .input(ZCreateTokenInput)
  .mutation(async ({ ctx, input }) => {
    if (ctx.viewer.via !== "session")
      throw new TRPCError({
        code: "FORBIDDEN",
        message:
          "API tokens are made from a browser session (the dashboard or `cxrlab login`), not with a token",
      });
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
