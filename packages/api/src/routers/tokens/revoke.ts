import { revokeApiToken } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZRevokeTokenInput } from "./revoke.types.ts";

/** Revokes one of the viewer's tokens; someone else's token is "not found". */
export const revokeTokenRoute = operationProcedure("tokens.revoke")
  .input(ZRevokeTokenInput)
  .mutation(async ({ ctx, input }) => {
    const token = found(await revokeApiToken(ctx.store, ctx.viewer.userId, input.id), `token ${input.id}`);
    await ctx.audit({
      action: "token.revoke",
      targetType: "token",
      targetId: String(token.id),
      details: { name: token.name, prefix: token.prefix },
    });
    return token;
  });
