import { projectMonitoringRoute } from "./project.ts";
import { runMonitoringRoute } from "./run.ts";

export const monitoringRouter = {
  project: projectMonitoringRoute,
  run: runMonitoringRoute,
};
