import { listAuditRoute } from "./list.ts";

export const auditRouter = {
  list: listAuditRoute,
};
