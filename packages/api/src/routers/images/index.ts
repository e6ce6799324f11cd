import { getImageRoute } from "./get.ts";

export const imagesRouter = {
  get: getImageRoute,
};
