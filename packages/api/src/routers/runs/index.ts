import { addCommentRoute } from "./add-comment.ts";
import { addNoteRoute } from "./add-note.ts";
import { addTagRoute } from "./add-tag.ts";
import { cancelRunRoute } from "./cancel.ts";
import { runCommentsRoute } from "./comments.ts";
import { compareRunsRoute } from "./compare.ts";
import { createRunRoute } from "./create.ts";
import { runFacetsRoute } from "./facets.ts";
import { getRunRoute } from "./get.ts";
import { listRunsRoute } from "./list.ts";
import { promoteRunRoute } from "./promote.ts";
import { runPromotionsRoute } from "./promotions.ts";
import { removeTagRoute } from "./remove-tag.ts";
import { starRoute } from "./star.ts";
import { unstarRoute } from "./unstar.ts";

export const runsRouter = {
  list: listRunsRoute,
  facets: runFacetsRoute,
  get: getRunRoute,
  compare: compareRunsRoute,
  addTag: addTagRoute,
  removeTag: removeTagRoute,
  addNote: addNoteRoute,
  create: createRunRoute,
  cancel: cancelRunRoute,
  comments: runCommentsRoute,
  addComment: addCommentRoute,
  star: starRoute,
  unstar: unstarRoute,
  promote: promoteRunRoute,
  promotions: runPromotionsRoute,
};
