import { submitReviewRoute } from "./submit.ts";
import { worklistRoute } from "./worklist.ts";

export const reviewsRouter = {
  worklist: worklistRoute,
  submit: submitReviewRoute,
};
