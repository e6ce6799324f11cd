import { pacsHoldingsRoute } from "./holdings.ts";
import { pacsPullRoute } from "./pull.ts";
import { pacsPushRoute } from "./push.ts";

export const pacsRouter = {
  holdings: pacsHoldingsRoute,
  pull: pacsPullRoute,
  push: pacsPushRoute,
};
