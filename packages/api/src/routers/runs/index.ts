import { addNoteRoute } from "./add-note.ts";
import { addTagRoute } from "./add-tag.ts";
import { compareRunsRoute } from "./compare.ts";
import { runFacetsRoute } from "./facets.ts";
import { getRunRoute } from "./get.ts";
import { listRunsRoute } from "./list.ts";
import { removeTagRoute } from "./remove-tag.ts";

export const runsRouter = {
  list: listRunsRoute,
  facets: runFacetsRoute,
  get: getRunRoute,
  compare: compareRunsRoute,
  addTag: addTagRoute,
  removeTag: removeTagRoute,
  addNote: addNoteRoute,
};
