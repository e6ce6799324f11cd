import { listApiTokens } from "@cxrlab/db";
import { operationProcedure } from "../../trpc.ts";

/** The viewer's own API tokens (never their hashes). */
export const listTokensRoute = operationProcedure("tokens.list").query(({ ctx }) =>
  listApiTokens(ctx.store, ctx.viewer.userId),
);
