import { openSecret, sealSecret } from "@cxrlab/core/secret";
import { findOrCreateProject } from "./memberships.ts";
import { retryWhenBusy } from "./retry.ts";
import { DEFAULT_PROJECT } from "./runs.ts";
import type { Store } from "./store.ts";

/**
 * How a PACS source authenticates; its secret is read from the environment variable `secretEnv` or
 * stored sealed (`secretSealed`, opened with the server's secret).
 */
export type PacsAuthKind = "none" | "bearer" | "basic";

export interface PacsSourceInput {
  name: string;
  url: string;
  authKind: PacsAuthKind;
  /** Basic authentication's user name. */
  username?: string | null;
  /** The environment variable holding the bearer token or the password. */
  secretEnv?: string | null;
  /** The bearer token or the password itself, stored sealed (instead of `secretEnv`). */
  secret?: string | null;
  /** The project patients pulled from it join (default "default"). */
  project?: string;
  createdById?: string | null;
}

export interface PacsSourceRecord {
  id: number;
  name: string;
  url: string;
  authKind: PacsAuthKind;
  username: string | null;
  secretEnv: string | null;
  /** The stored secret, sealed: never shown; `openPacsSecret` opens it. */
  secretSealed: string | null;
  projectId: number | null;
  project: string;
  /** StudyDate (YYYYMMDD) up to which a sync stored every study. */
  watermark: string | null;
  lastSyncAt: Date | null;
  createdAt: Date;
}

export class PacsSourceRefused extends Error {}

/** What the sealing key of stored PACS secrets is derived for. */
const SEALING_PURPOSE = "pacs-source-secret";

/** A source's stored secret in clear, or null when the server's secret that sealed it has changed. */
export function openPacsSecret(source: Pick<PacsSourceRecord, "name" | "secretSealed">): string | null {
  return source.secretSealed ? openSecret(source.secretSealed, SEALING_PURPOSE, source.name) : null;
}

const SELECT = {
  id: true,
  name: true,
  url: true,
  authKind: true,
  username: true,
  secretEnv: true,
  secretSealed: true,
  projectId: true,
  project: { select: { name: true } },
  watermark: true,
  lastSyncAt: true,
  createdAt: true,
} as const;

type Row = {
  authKind: string;
  project: { name: string } | null;
} & Omit<PacsSourceRecord, "authKind" | "project">;

const record = ({ project, authKind, ...row }: Row): PacsSourceRecord => ({
  ...row,
  authKind: authKind as PacsAuthKind,
  project: project?.name ?? DEFAULT_PROJECT,
});

/** Adds a source; a name already taken is refused. */
export async function addPacsSource(store: Store, input: PacsSourceInput): Promise<PacsSourceRecord> {
  const { id: projectId } = await findOrCreateProject(store.prisma, input.project ?? DEFAULT_PROJECT);
  try {
    const row = await retryWhenBusy(() =>
      store.prisma.pacsSource.create({
        data: {
          name: input.name,
          url: input.url,
          authKind: input.authKind,
          username: input.username ?? null,
          secretEnv: input.secretEnv ?? null,
          secretSealed: input.secret ? sealSecret(input.secret, SEALING_PURPOSE, input.name) : null,
          projectId,
          createdById: input.createdById ?? null,
        },
        select: SELECT,
      }),
    );
    return record(row);
  } catch (error) {
    if ((error as { code?: unknown }).code === "P2002")
      throw new PacsSourceRefused(`a PACS source named "${input.name}" exists already`);
    throw error;
  }
}

export async function listPacsSources(store: Store): Promise<PacsSourceRecord[]> {
  const rows = await store.prisma.pacsSource.findMany({ select: SELECT, orderBy: { name: "asc" } });
  return rows.map(record);
}

/** The source named `name`; without a name, the only source (an error when there are none or several). */
export async function requirePacsSource(store: Store, name?: string): Promise<PacsSourceRecord> {
  if (name !== undefined) {
    const row = await store.prisma.pacsSource.findUnique({ where: { name }, select: SELECT });
    if (!row) throw new PacsSourceRefused(`no PACS source named "${name}" (cxrlab pacs list)`);
    return record(row);
  }
  const all = await listPacsSources(store);
  if (all.length === 1) return all[0]!;
  throw new PacsSourceRefused(
    all.length
      ? `${all.length} PACS sources (${all.map((s) => s.name).join(", ")}): name one with --source`
      : "no PACS source: add one with cxrlab pacs add",
  );
}

/** Removes the source named `name`; null when there was none. */
export async function removePacsSource(store: Store, name: string): Promise<PacsSourceRecord | null> {
  const row = await store.prisma.pacsSource.findUnique({ where: { name }, select: SELECT });
  if (!row) return null;
  await retryWhenBusy(() => store.prisma.pacsSource.delete({ where: { id: row.id } }));
  return record(row);
}

/** Records that a sync stored every study up to `watermark` (YYYYMMDD); never moves it back. */
export async function advancePacsWatermark(
  store: Store,
  id: number,
  watermark: string | null,
): Promise<void> {
  await retryWhenBusy(async () => {
    const current = await store.prisma.pacsSource.findUniqueOrThrow({
      where: { id },
      select: { watermark: true },
    });
    const next =
      watermark && (!current.watermark || watermark > current.watermark) ? watermark : current.watermark;
    await store.prisma.pacsSource.update({
      where: { id },
      data: { watermark: next, lastSyncAt: new Date() },
    });
  });
}
