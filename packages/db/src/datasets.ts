import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  classFolderProblem,
  type DatasetSource,
  datasetManifestFingerprint,
  type LocatedDatasetEntry,
  labelFromReviews,
  listImageDirectory,
  readPatientIds,
} from "@cxrlab/core/data";
import { type DatasetRef, formatDatasetRef } from "@cxrlab/validators/datasets";
import { UNCERTAIN } from "@cxrlab/validators/reviews";
import { putContent } from "./content-store.ts";
import type { Prisma } from "./generated/sqlite/client.ts";
import { retryWhenBusy } from "./retry.ts";
import type { Store } from "./store.ts";

/** A dataset refused for what was asked (no such project, nothing qualifies, a bad label). */
export class DatasetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetRefused";
  }
}

/** How a version was made, kept with it. */
export interface DatasetRecipe {
  fromReviews: { minReviewers: number } | null;
  /** Folders included, absolute. */
  include: string[];
  /** Images left out, by reason. */
  excluded: Record<string, number>;
}

export interface DatasetVersionSummary {
  id: number;
  projectId: number;
  project: string;
  name: string;
  version: number;
  /** NAME@VERSION. */
  ref: string;
  fingerprint: string;
  createdAt: Date;
  createdByEmail: string | null;
  images: number;
  /** Images per class, classes in sorted order. */
  classes: Record<string, number>;
  /** Images per source ("review", "folder"). */
  sources: Record<string, number>;
  recipe: DatasetRecipe;
  /** Runs that trained on it. */
  runs: number;
}

const SUMMARY_SELECT = {
  id: true,
  projectId: true,
  project: { select: { name: true } },
  name: true,
  version: true,
  fingerprint: true,
  createdAt: true,
  createdBy: { select: { email: true } },
  recipe: true,
  _count: { select: { entries: true, runs: true } },
} as const;

type SummaryRow = Prisma.DatasetVersionGetPayload<{ select: typeof SUMMARY_SELECT }>;

const countBy = (rows: { key: string; count: number }[]): Record<string, number> =>
  Object.fromEntries(
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => [r.key, r.count]),
  );

/** The summaries of these version rows, with their class and source counts (two grouped queries). */
async function summaries(store: Store, rows: SummaryRow[]): Promise<DatasetVersionSummary[]> {
  const where = { datasetVersionId: { in: rows.map((r) => r.id) } };
  const [labels, sources] = await Promise.all([
    store.prisma.datasetEntry.groupBy({ by: ["datasetVersionId", "label"], where, _count: { _all: true } }),
    store.prisma.datasetEntry.groupBy({ by: ["datasetVersionId", "source"], where, _count: { _all: true } }),
  ]);
  const of = (groups: { datasetVersionId: number; key: string; count: number }[], id: number) =>
    countBy(groups.filter((g) => g.datasetVersionId === id));
  const labelCounts = labels.map((g) => ({
    datasetVersionId: g.datasetVersionId,
    key: g.label,
    count: g._count._all,
  }));
  const sourceCounts = sources.map((g) => ({
    datasetVersionId: g.datasetVersionId,
    key: g.source,
    count: g._count._all,
  }));
  return rows.map((row) => ({
    id: row.id,
    projectId: row.projectId,
    project: row.project.name,
    name: row.name,
    version: row.version,
    ref: formatDatasetRef(row),
    fingerprint: row.fingerprint,
    createdAt: row.createdAt,
    createdByEmail: row.createdBy?.email ?? null,
    images: row._count.entries,
    classes: of(labelCounts, row.id),
    sources: of(sourceCounts, row.id),
    recipe: row.recipe as unknown as DatasetRecipe,
    runs: row._count.runs,
  }));
}

async function projectIdOf(store: Store, project: string): Promise<number> {
  const found = await store.prisma.project.findUnique({ where: { name: project }, select: { id: true } });
  if (!found)
    throw new DatasetRefused(`no project "${project}" in the store (cxrlab projects list names them)`);
  return found.id;
}

/** Entries from the project's reviewed archive images, and the count left out per reason. */
async function reviewedEntries(store: Store, projectId: number, minReviewers: number) {
  const reviews = await store.prisma.review.findMany({
    where: { image: { study: { patient: { projectId } } } },
    select: {
      imageId: true,
      label: true,
      image: {
        select: {
          sha256: true,
          location: true,
          study: { select: { patient: { select: { patientId: true, issuer: true } } } },
        },
      },
    },
    orderBy: [{ imageId: "asc" }, { id: "asc" }],
  });
  const byImage = new Map<number, typeof reviews>();
  for (const r of reviews) byImage.set(r.imageId, [...(byImage.get(r.imageId) ?? []), r]);
  const entries: LocatedDatasetEntry[] = [];
  const excluded: Record<string, number> = {};
  for (const group of byImage.values()) {
    const outcome = labelFromReviews(
      group.map((r) => r.label),
      minReviewers,
      UNCERTAIN,
    );
    if ("excluded" in outcome) {
      excluded[outcome.excluded] = (excluded[outcome.excluded] ?? 0) + 1;
      continue;
    }
    const { image } = group[0]!;
    const patient = image.study!.patient;
    entries.push({
      sha256: image.sha256,
      label: outcome.label,
      patient: patient.issuer ? `${patient.patientId}^${patient.issuer}` : patient.patientId,
      source: "review",
      location: image.location,
    });
  }
  return { entries, excluded };
}

/**
 * The images of a Keras-layout folder (a sub-folder per class), copied into the image store so the
 * version keeps them whatever becomes of the folder; patients from its patients.csv when it has one.
 */
async function folderEntries(folder: string, imageStore: string): Promise<LocatedDatasetEntry[]> {
  const listed = await listImageDirectory(folder);
  const patientsFile = path.join(listed.root, "patients.csv");
  const patients = existsSync(patientsFile) ? (await readPatientIds(patientsFile)).groups : null;
  const entries: LocatedDatasetEntry[] = [];
  for (const record of listed.records) {
    const bytes = await readFile(record.path);
    const ext = path.extname(record.path).slice(1).toLowerCase();
    const stored = await putContent(imageStore, bytes, ext);
    entries.push({
      sha256: stored.sha256,
      label: record.className,
      patient: patients?.get(record.path) ?? null,
      source: "folder" satisfies DatasetSource,
      location: stored.location,
    });
  }
  if (!entries.length) throw new DatasetRefused(`--include ${folder}: no images in class sub-folders`);
  return entries;
}

/** One entry per image: an image listed twice with two labels is left out ("conflicting labels"). */
function mergeEntries(lists: LocatedDatasetEntry[][], excluded: Record<string, number>) {
  const bySha = new Map<string, LocatedDatasetEntry>();
  const conflicting = new Set<string>();
  for (const entry of lists.flat()) {
    const seen = bySha.get(entry.sha256);
    if (!seen) bySha.set(entry.sha256, entry);
    else if (seen.label !== entry.label) conflicting.add(entry.sha256);
  }
  for (const sha of conflicting) bySha.delete(sha);
  if (conflicting.size) excluded["conflicting labels"] = conflicting.size;
  return [...bySha.values()];
}

export interface NewDatasetVersion {
  project: string;
  name: string;
  /** Label the project's reviewed archive images (an image needs this many reviews, all agreeing). */
  fromReviews?: { minReviewers: number };
  /** Keras-layout folders to add. */
  include?: string[];
  /** The content store included folders' images are copied into. */
  imageStore: string;
  /** The account that makes it (none from the CLI). */
  createdById?: string;
}

export interface DatasetCreation {
  /** False: a version of the name with the same fingerprint exists, and is `version`. */
  created: boolean;
  version: DatasetVersionSummary;
  /** Images left out of this manifest, by reason (also when it matched an existing version). */
  excluded: Record<string, number>;
}

/** The audit entry of a version made by createDatasetVersion (the CLI and the API record the same). */
export function datasetCreatedEvent({ version, excluded }: DatasetCreation) {
  return {
    action: "dataset.create",
    targetType: "dataset",
    targetId: String(version.id),
    projectId: version.projectId,
    details: {
      ref: version.ref,
      fingerprint: version.fingerprint,
      images: version.images,
      classes: version.classes,
      excluded,
      include: version.recipe.include,
    },
  };
}

/**
 * Makes the next version of `name` in the project from its reviews and folders: one entry per image
 * (SHA-256, label, patient, source), fingerprinted. When a version of the name already has that
 * fingerprint, nothing is made and that version is returned (`created: false`).
 */
export async function createDatasetVersion(store: Store, input: NewDatasetVersion): Promise<DatasetCreation> {
  if (!input.fromReviews && !input.include?.length)
    throw new DatasetRefused("nothing to make a dataset from: give --from-reviews and/or --include FOLDER");
  const projectId = await projectIdOf(store, input.project);
  const excluded: Record<string, number> = {};
  const lists: LocatedDatasetEntry[][] = [];
  if (input.fromReviews) {
    const reviewed = await reviewedEntries(store, projectId, input.fromReviews.minReviewers);
    Object.assign(excluded, reviewed.excluded);
    lists.push(reviewed.entries);
  }
  const include = (input.include ?? []).map((folder) => path.resolve(folder));
  for (const folder of include) lists.push(await folderEntries(folder, input.imageStore));
  const entries = mergeEntries(lists, excluded);
  if (!entries.length)
    throw new DatasetRefused(
      `no image qualifies for dataset ${input.name} in project ${input.project}` +
        (Object.keys(excluded).length ? ` (left out: ${describeExcluded(excluded)})` : ""),
    );
  for (const entry of entries) {
    const problem = classFolderProblem(entry.label);
    if (problem) throw new DatasetRefused(`image ${entry.sha256}: ${problem}`);
  }
  const fingerprint = datasetManifestFingerprint(entries);
  const recipe: DatasetRecipe = { fromReviews: input.fromReviews ?? null, include, excluded };
  const { id, created } = await retryWhenBusy(() =>
    store.prisma.$transaction(async (tx) => {
      const same = await tx.datasetVersion.findFirst({
        where: { projectId, name: input.name, fingerprint },
        select: { id: true },
      });
      if (same) return { id: same.id, created: false };
      const last = await tx.datasetVersion.findFirst({
        where: { projectId, name: input.name },
        orderBy: { version: "desc" },
        select: { version: true },
      });
      const version = await tx.datasetVersion.create({
        data: {
          projectId,
          name: input.name,
          version: (last?.version ?? 0) + 1,
          fingerprint,
          recipe: recipe as unknown as Prisma.InputJsonValue,
          createdById: input.createdById ?? null,
        },
        select: { id: true },
      });
      await tx.datasetEntry.createMany({
        data: entries.map((e) => ({ datasetVersionId: version.id, ...e })),
      });
      return { id: version.id, created: true };
    }),
  );
  const [summary] = await summaries(
    store,
    await store.prisma.datasetVersion.findMany({ where: { id }, select: SUMMARY_SELECT }),
  );
  return { created, version: summary!, excluded };
}

/** "3 reviewers disagree, 1 uncertain". */
export function describeExcluded(excluded: Record<string, number>): string {
  return Object.entries(excluded)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
}

/** The dataset versions of these projects (all when not given), by project, name and version. */
export async function listDatasetVersions(
  store: Store,
  where: { projectIds?: readonly number[]; project?: string } = {},
): Promise<DatasetVersionSummary[]> {
  const rows = await store.prisma.datasetVersion.findMany({
    where: {
      ...(where.projectIds ? { projectId: { in: [...where.projectIds] } } : {}),
      ...(where.project ? { project: { name: where.project } } : {}),
    },
    select: SUMMARY_SELECT,
    orderBy: [{ projectId: "asc" }, { name: "asc" }, { version: "asc" }],
  });
  return summaries(store, rows);
}

export interface DatasetVersionDetail extends DatasetVersionSummary {
  entries: LocatedDatasetEntry[];
}

/** A version with its manifest (by SHA-256); null when there is none. */
async function detail(
  store: Store,
  where: Prisma.DatasetVersionWhereInput,
): Promise<DatasetVersionDetail | null> {
  const row = await store.prisma.datasetVersion.findFirst({ where, select: SUMMARY_SELECT });
  if (!row) return null;
  const [summary] = await summaries(store, [row]);
  const entries = await store.prisma.datasetEntry.findMany({
    where: { datasetVersionId: row.id },
    select: { sha256: true, label: true, patient: true, source: true, location: true },
    orderBy: [{ label: "asc" }, { sha256: "asc" }],
  });
  return { ...summary!, entries: entries.map((e) => ({ ...e, source: e.source as DatasetSource })) };
}

/** NAME@VERSION of a project, with its manifest; null when there is no such version. */
export async function findDatasetVersion(
  store: Store,
  project: string,
  ref: DatasetRef,
): Promise<DatasetVersionDetail | null> {
  return detail(store, { project: { name: project }, name: ref.name, version: ref.version });
}

/** A version by its id, with its manifest; null when there is none. */
export const datasetVersionById = (store: Store, id: number) => detail(store, { id });
