import { listPredictionsRoute } from "./list.ts";

export const predictionsRouter = {
  list: listPredictionsRoute,
};
