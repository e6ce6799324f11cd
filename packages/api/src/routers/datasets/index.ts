import { createDatasetRoute } from "./create.ts";
import { getDatasetRoute } from "./get.ts";
import { listDatasetsRoute } from "./list.ts";

export const datasetsRouter = {
  list: listDatasetsRoute,
  get: getDatasetRoute,
  create: createDatasetRoute,
};
