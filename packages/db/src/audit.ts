import { csvCell } from "./csv.ts";
import type { Prisma } from "./generated/sqlite/client.ts";
import type { Store } from "./store.ts";

/** One entry of the append-only audit log (the database refuses UPDATE and DELETE on it). */
export interface AuditEventInput {
  actorId?: string | null;
  actorEmail?: string | null;
  /** e.g. "patient.view", "member.set", "token.create". */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  projectId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Prisma.InputJsonValue | null;
}

export interface AuditEventRecord {
  id: number;
  createdAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  projectId: number | null;
  ip: string | null;
  userAgent: string | null;
  details: Prisma.JsonValue | null;
}

export interface AuditFilters {
  /**
   * Only events of these projects. The API always passes the projects the viewer may audit; events
   * without a project (sign-ins, tokens) are then left out unless `includeUnscoped` is set.
   */
  projectIds?: readonly number[];
  includeUnscoped?: boolean;
  actorId?: string;
  /** Part of the actor's email (case-insensitive). */
  actor?: string;
  /** An exact action, or a prefix ending in "." ("member." matches member.set and member.remove). */
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  /** Exclusive upper bound. */
  before?: Date;
}

export interface AuditPaging {
  /** 1-based; default 1. */
  page?: number;
  /** Default 50, at most 500. */
  pageSize?: number;
}

export interface AuditPage {
  items: AuditEventRecord[];
  total: number;
  page: number;
  pageSize: number;
}

export async function appendAuditEvent(store: Store, event: AuditEventInput): Promise<AuditEventRecord> {
  const { details, ...fields } = event;
  return store.prisma.auditEvent.create({
    data: { ...fields, ...(details === undefined || details === null ? {} : { details }) },
  });
}

function auditWhere(filters: AuditFilters): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filters.projectIds) {
    const inProjects: Prisma.AuditEventWhereInput = { projectId: { in: [...filters.projectIds] } };
    and.push(filters.includeUnscoped ? { OR: [inProjects, { projectId: null }] } : inProjects);
  }
  if (filters.actorId) and.push({ actorId: filters.actorId });
  // SQLite's LIKE is case-insensitive for ASCII already; PostgreSQL needs mode "insensitive",
  // which the SQLite client type lacks, so emails are matched lower-cased (they are stored lower-case).
  if (filters.actor) and.push({ actorEmail: { contains: filters.actor.toLowerCase() } });
  if (filters.action) {
    and.push(
      filters.action.endsWith(".") ? { action: { startsWith: filters.action } } : { action: filters.action },
    );
  }
  if (filters.targetType) and.push({ targetType: filters.targetType });
  if (filters.targetId) and.push({ targetId: filters.targetId });
  if (filters.from || filters.before) {
    and.push({
      createdAt: {
        ...(filters.from && { gte: filters.from }),
        ...(filters.before && { lt: filters.before }),
      },
    });
  }
  return { AND: and };
}

/** Newest first. */
export async function listAuditEvents(
  store: Store,
  filters: AuditFilters = {},
  paging: AuditPaging = {},
): Promise<AuditPage> {
  const page = Math.max(1, Math.floor(paging.page ?? 1));
  const pageSize = Math.min(500, Math.max(1, Math.floor(paging.pageSize ?? 50)));
  const where = auditWhere(filters);
  const [items, total] = await Promise.all([
    store.prisma.auditEvent.findMany({
      where,
      orderBy: { id: "desc" },
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    store.prisma.auditEvent.count({ where }),
  ]);
  return { items, total, page, pageSize };
}

export const AUDIT_EXPORT_FORMATS = ["csv", "jsonl"] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

const EXPORT_COLUMNS = [
  "id",
  "createdAt",
  "actorId",
  "actorEmail",
  "action",
  "targetType",
  "targetId",
  "projectId",
  "ip",
  "userAgent",
  "details",
] as const satisfies readonly (keyof AuditEventRecord)[];

/** Rows read per query while exporting, so a large log streams in bounded memory. */
const EXPORT_BATCH = 500;

/**
 * The matching events, oldest first, as CSV (with a header line) or JSON Lines, one chunk per line.
 * Reads in id-ordered batches (keyset paging), so events appended meanwhile are included and none
 * is repeated.
 */
export async function* exportAuditEvents(
  store: Store,
  filters: AuditFilters,
  format: AuditExportFormat,
): AsyncGenerator<string> {
  if (format === "csv") yield `${EXPORT_COLUMNS.join(",")}\n`;
  const where = auditWhere(filters);
  let after = 0;
  for (;;) {
    const batch = await store.prisma.auditEvent.findMany({
      where: { AND: [where, { id: { gt: after } }] },
      orderBy: { id: "asc" },
      take: EXPORT_BATCH,
    });
    for (const event of batch) yield format === "csv" ? csvLine(event) : `${JSON.stringify(event)}\n`;
    const last = batch.at(-1);
    if (!last || batch.length < EXPORT_BATCH) return;
    after = last.id;
  }
}

function csvLine(event: AuditEventRecord): string {
  return `${EXPORT_COLUMNS.map((column) => csvCell(event[column])).join(",")}\n`;
}
