import { getPatientRoute } from "./get.ts";
import { searchPatientsRoute } from "./search.ts";

export const patientsRouter = {
  search: searchPatientsRoute,
  get: getPatientRoute,
};
