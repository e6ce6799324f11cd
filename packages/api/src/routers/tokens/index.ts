import { createTokenRoute } from "./create.ts";
import { listTokensRoute } from "./list.ts";
import { revokeTokenRoute } from "./revoke.ts";

export const tokensRouter = {
  list: listTokensRoute,
  create: createTokenRoute,
  revoke: revokeTokenRoute,
};
