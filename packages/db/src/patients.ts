import { randomUUID } from "node:crypto";
import { ArchiveConflict, describePatient } from "./archive-conflict.ts";
import type { Prisma } from "./generated/sqlite/client.ts";
import type { ImageInput } from "./images.ts";
import { findOrCreateProject } from "./memberships.ts";
import {
  imagePredictionsQuery,
  type RunPrediction,
  type StoredImage,
  toRunPrediction,
} from "./predictions.ts";
import { retryWhenBusy } from "./retry.ts";
import { DEFAULT_PROJECT } from "./runs.ts";
import type { Store } from "./store.ts";

export interface PatientInput {
  patientId: string;
  /** Issuer of Patient ID; missing = "" (unknown issuer). */
  issuer?: string | null;
  name?: string | null;
  /** DICOM DA, YYYYMMDD. */
  birthDate?: string | null;
  sex?: string | null;
  /** The project a new patient joins (default "default"); a known patient keeps its own. */
  project?: string;
}

export interface StudyInput {
  /** Missing for PNG/JPEG: the study is then found by (patient, date, accession) or given a new UID. */
  studyInstanceUid?: string | null;
  studyDate?: Date | null;
  accessionNumber?: string | null;
  description?: string | null;
}

export interface ArchiveImageInput extends ImageInput {
  sopInstanceUid?: string | null;
  viewPosition?: string | null;
  /** "dicom" | "png" | "jpeg". */
  sourceFormat: string;
  /** The original bytes in the content store. */
  sourceLocation: string;
}

export interface IngestInput {
  patient: PatientInput;
  study: StudyInput;
  image: ArchiveImageInput;
  /**
   * The content-store files the rows will name: their hashes are locked in the transaction (see
   * lockContent) and `ensure` puts each file back if it is missing, so the rows never commit
   * pointing at a file a failed ingest of the same bytes discarded meanwhile.
   */
  content?: { sha256s: readonly string[]; ensure: () => Promise<void> };
}

/**
 * Serialises, for these content hashes, this transaction with every other that references or
 * discards their content-store files, until it ends. PostgreSQL: a transaction-scoped advisory
 * lock per hash (taken in sorted order, so two transactions never deadlock). SQLite: the
 * database's write lock (one writer at a time), taken at once by a write that changes nothing.
 */
export async function lockContent(
  tx: Tx,
  provider: Store["target"]["provider"],
  sha256s: readonly string[],
): Promise<void> {
  if (provider === "sqlite") {
    await tx.$executeRawUnsafe('UPDATE "Image" SET "id" = "id" WHERE 0');
    return;
  }
  for (const sha256 of [...new Set(sha256s)].sort()) {
    const key = BigInt.asIntN(64, BigInt(`0x${sha256.slice(0, 16)}`));
    await tx.$queryRawUnsafe("SELECT pg_advisory_xact_lock($1::bigint)::text AS locked", key.toString());
  }
}

export type DemographicField = "name" | "birthDate" | "sex";

/** A known patient's value that an image carried another value for: the archive kept its own. */
export interface DemographicConflict {
  field: DemographicField;
  kept: string;
  refused: string;
}

/** A field the archive had empty, filled from this image. */
export interface DemographicFill {
  field: DemographicField;
  value: string;
}

export interface IngestResult {
  /** "known": this content (or this SOP instance) was already archived; nothing changed. */
  status: "new" | "known";
  imageId: number;
  patientRef: number;
  studyId: number;
  /** The patient's project. */
  projectId: number | null;
  /** Demographics the image disagreed on (the first values are kept); empty for "known". */
  conflicts: DemographicConflict[];
  /** Demographics the patient lacked and this image gave; empty for "known". */
  filled: DemographicFill[];
}

type Tx = Prisma.TransactionClient;

/**
 * Archives one image in one transaction: patient upsert, study upsert, image upsert. The same
 * content hash, or the same SOP Instance UID, is one image: a repeat is reported "known".
 */
export async function ingestImage(store: Store, input: IngestInput): Promise<IngestResult> {
  const { image } = input;
  if (!/^[0-9a-f]{64}$/.test(image.sha256)) {
    throw new Error(
      `image ${image.location}: sha256 must be 64 lower-case hex digits, got "${image.sha256}"`,
    );
  }
  if (!input.patient.patientId.trim()) throw new Error(`image ${image.sourceLocation}: empty patient ID`);
  return retryWhenBusy(() =>
    store.prisma.$transaction(async (tx) => {
      if (input.content) {
        // Held until commit: no discard of these files can run between the check and the commit.
        await lockContent(tx, store.target.provider, input.content.sha256s);
        await input.content.ensure();
      }
      const existing = await findArchived(tx, image);
      if (existing?.study) {
        return {
          status: "known" as const,
          imageId: existing.id,
          patientRef: existing.study.patientRef,
          studyId: existing.study.id,
          projectId: existing.study.patient.projectId,
          conflicts: [],
          filled: [],
        };
      }
      const { patientRef, projectId, conflicts, filled } = await upsertPatient(tx, input.patient);
      const studyId = await upsertStudy(tx, patientRef, input.study);
      const { sha256, location, format, width, height, bytes, label } = image;
      const archive = {
        studyId,
        sopInstanceUid: image.sopInstanceUid ?? null,
        viewPosition: image.viewPosition ?? null,
        sourceFormat: image.sourceFormat,
        sourceLocation: image.sourceLocation,
      };
      // An image already stored without a study (e.g. seen by training) joins the archive.
      const row = existing
        ? await tx.image.update({
            where: { id: existing.id },
            data: { ...archive, label: label ?? undefined },
          })
        : await tx.image.create({
            data: { sha256, location, format, width, height, bytes, label: label ?? null, ...archive },
          });
      return { status: "new" as const, imageId: row.id, patientRef, studyId, projectId, conflicts, filled };
    }),
  );
}

async function findArchived(tx: Tx, image: ArchiveImageInput) {
  const select = {
    id: true,
    study: { select: { id: true, patientRef: true, patient: { select: { projectId: true } } } },
  };
  const bySha = await tx.image.findUnique({ where: { sha256: image.sha256 }, select });
  if (bySha || !image.sopInstanceUid) return bySha;
  return tx.image.findUnique({ where: { sopInstanceUid: image.sopInstanceUid }, select });
}

/** Fills in what the archive did not know yet; never erases a known value. */
const known = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

const DEMOGRAPHICS: readonly DemographicField[] = ["name", "birthDate", "sex"];

/** A demographic value, or null for none (missing or blank). */
const demographic = (value: string | null | undefined): string | null => (value?.trim() ? value : null);

/**
 * Finds or creates the patient. A known patient keeps its demographics: an image may only fill a
 * field that is empty (reported in `filled`); another value than the one archived is refused and
 * reported in `conflicts` (a later DICOM with the same PatientID must not rewrite who the patient
 * is). Each fill is conditional on the field still being empty, so two ingests racing to fill it
 * cannot overwrite each other either: the loser sees a conflict.
 */
async function upsertPatient(
  tx: Tx,
  patient: PatientInput,
): Promise<{
  patientRef: number;
  projectId: number | null;
  conflicts: DemographicConflict[];
  filled: DemographicFill[];
}> {
  const key = { patientId: patient.patientId, issuer: patient.issuer ?? "" };
  const given = Object.fromEntries(DEMOGRAPHICS.map((f) => [f, demographic(patient[f])])) as Record<
    DemographicField,
    string | null
  >;
  const { id: projectId } = await findOrCreateProject(tx, patient.project ?? DEFAULT_PROJECT);
  const row = await tx.patient.upsert({
    where: { patientId_issuer: key },
    create: { ...key, ...given, project: { connect: { id: projectId } } },
    update: {},
    select: { id: true, projectId: true, name: true, birthDate: true, sex: true },
  });
  const conflicts: DemographicConflict[] = [];
  const filled: DemographicFill[] = [];
  for (const field of DEMOGRAPHICS) {
    const value = given[field];
    if (value === null) continue;
    let kept = demographic(row[field]);
    if (kept === null) {
      const empty = { OR: [{ [field]: null }, { [field]: "" }] };
      const { count } = await tx.patient.updateMany({
        where: { id: row.id, ...empty },
        data: { [field]: value },
      });
      if (count === 1) {
        filled.push({ field, value });
        continue;
      }
      // Filled meanwhile by another ingest.
      const now = await tx.patient.findUniqueOrThrow({
        where: { id: row.id },
        select: { name: true, birthDate: true, sex: true },
      });
      kept = demographic(now[field]);
    }
    if (kept !== null && kept !== value) conflicts.push({ field, kept, refused: value });
  }
  return { patientRef: row.id, projectId: row.projectId, conflicts, filled };
}

async function upsertStudy(tx: Tx, patientRef: number, study: StudyInput): Promise<number> {
  const details = {
    studyDate: known(study.studyDate),
    accessionNumber: known(study.accessionNumber),
    description: known(study.description),
  };
  if (study.studyInstanceUid) {
    const found = await tx.study.findUnique({
      where: { studyInstanceUid: study.studyInstanceUid },
      select: {
        patientRef: true,
        patient: { select: { patientId: true, issuer: true, projectId: true } },
      },
    });
    if (found && found.patientRef !== patientRef) {
      throw new ArchiveConflict(
        `study ${study.studyInstanceUid} already belongs to ${describePatient(found.patient)}`,
        found.patient.projectId,
      );
    }
    const row = await tx.study.upsert({
      where: { studyInstanceUid: study.studyInstanceUid },
      create: { patientRef, studyInstanceUid: study.studyInstanceUid, ...details },
      update: details,
      select: { id: true },
    });
    return row.id;
  }
  const sameVisit = await tx.study.findFirst({
    where: {
      patientRef,
      studyDate: study.studyDate ?? null,
      accessionNumber: study.accessionNumber ?? null,
    },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  if (sameVisit) return sameVisit.id;
  const row = await tx.study.create({
    data: { patientRef, studyInstanceUid: generatedUid(), ...details },
    select: { id: true },
  });
  return row.id;
}

/** DICOM's UUID-derived UID form (PS3.5 B.2): "2.25." + the UUID read as one unsigned integer. */
export function generatedUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replaceAll("-", "")}`).toString()}`;
}

export interface PatientSummary {
  id: number;
  projectId: number | null;
  patientId: string;
  issuer: string;
  name: string | null;
  birthDate: string | null;
  sex: string | null;
  studyCount: number;
  imageCount: number;
  lastStudyDate: Date | null;
}

export interface PatientQuery {
  /** Part of the patient ID or name (case-insensitive). */
  q?: string;
  /** Only patients of these projects (the API passes those the viewer may read). */
  projectIds?: readonly number[];
  /** 1-based; default 1. */
  page?: number;
  /** Default 50. */
  pageSize?: number;
}

/** Patients ordered by patient ID then issuer, with their study and image counts. */
export async function listPatients(
  store: Store,
  query: PatientQuery = {},
): Promise<{ items: PatientSummary[]; total: number }> {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 50;
  const mode = store.target.provider === "postgresql" ? { mode: "insensitive" as const } : {};
  const where: Prisma.PatientWhereInput = {
    ...(query.q
      ? { OR: [{ patientId: { contains: query.q, ...mode } }, { name: { contains: query.q, ...mode } }] }
      : {}),
    ...(query.projectIds ? { projectId: { in: [...query.projectIds] } } : {}),
  };
  const [rows, total] = await Promise.all([
    store.prisma.patient.findMany({
      where,
      include: { studies: { select: { studyDate: true, _count: { select: { images: true } } } } },
      orderBy: [{ patientId: "asc" }, { issuer: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    store.prisma.patient.count({ where }),
  ]);
  const items = rows.map(({ studies, createdAt: _, ...patient }) => {
    const dates = studies.flatMap((s) => (s.studyDate ? [s.studyDate.getTime()] : []));
    return {
      ...patient,
      studyCount: studies.length,
      imageCount: studies.reduce((sum, s) => sum + s._count.images, 0),
      lastStudyDate: dates.length ? new Date(Math.max(...dates)) : null,
    };
  });
  return { items, total };
}

export interface HistoryImage {
  id: number;
  sha256: string;
  sopInstanceUid: string | null;
  viewPosition: string | null;
  width: number;
  height: number;
  sourceFormat: string | null;
  /** Every run's prediction, newest run first. */
  predictions: RunPrediction[];
}

export interface HistoryStudy {
  id: number;
  studyInstanceUid: string;
  studyDate: Date | null;
  accessionNumber: string | null;
  description: string | null;
  images: HistoryImage[];
}

export interface PatientHistory {
  patient: Omit<PatientSummary, "studyCount" | "imageCount" | "lastStudyDate">;
  /** By study date ascending; studies without a date last. */
  studies: HistoryStudy[];
}

export type PatientKey = { id: number } | { patientId: string; issuer?: string };

/**
 * The patient's timeline; null when there is no such patient. A patient ID that several issuers
 * use, asked without an issuer, is an error listing them.
 */
export async function getPatientHistory(store: Store, key: PatientKey): Promise<PatientHistory | null> {
  const id = "id" in key ? key.id : await resolvePatient(store, key);
  if (id === null) return null;
  const row = await store.prisma.patient.findUnique({
    where: { id },
    include: {
      studies: {
        include: {
          images: {
            orderBy: { id: "asc" },
            include: { predictions: imagePredictionsQuery },
          },
        },
      },
    },
  });
  if (!row) return null;
  const { studies, createdAt: _, ...patient } = row;
  return { patient, studies: studies.sort(byStudyDate).map(historyStudy) };
}

async function resolvePatient(store: Store, key: { patientId: string; issuer?: string }) {
  const rows = await store.prisma.patient.findMany({
    where: { patientId: key.patientId, issuer: key.issuer },
    select: { id: true, issuer: true },
  });
  return onePatient(key.patientId, rows)?.id ?? null;
}

/**
 * The one patient among those with `patientId` (null for none); several, from different issuers,
 * are an error listing the issuers.
 */
export function onePatient<T extends { issuer: string }>(patientId: string, rows: readonly T[]): T | null {
  if (rows.length > 1) {
    const issuers = rows.map((r) => (r.issuer ? `"${r.issuer}"` : '"" (no issuer)')).join(", ");
    throw new Error(`patient ID ${patientId} is used by several issuers (${issuers}): name one`);
  }
  return rows[0] ?? null;
}

function byStudyDate(a: { id: number; studyDate: Date | null }, b: { id: number; studyDate: Date | null }) {
  const at = a.studyDate?.getTime() ?? Number.POSITIVE_INFINITY;
  const bt = b.studyDate?.getTime() ?? Number.POSITIVE_INFINITY;
  return at === bt ? a.id - b.id : at - bt;
}

type StudyRow = Prisma.StudyGetPayload<{
  include: { images: { include: { predictions: typeof imagePredictionsQuery } } };
}>;

function historyStudy(study: StudyRow): HistoryStudy {
  return {
    id: study.id,
    studyInstanceUid: study.studyInstanceUid,
    studyDate: study.studyDate,
    accessionNumber: study.accessionNumber,
    description: study.description,
    images: study.images.map((image) => ({
      id: image.id,
      sha256: image.sha256,
      sopInstanceUid: image.sopInstanceUid,
      viewPosition: image.viewPosition,
      width: image.width,
      height: image.height,
      sourceFormat: image.sourceFormat,
      predictions: image.predictions.map(toRunPrediction),
    })),
  };
}

/** The patient's archived images that the run has not predicted yet, oldest study first. */
export async function patientImagesWithoutPrediction(
  store: Store,
  patientRef: number,
  runId: number,
): Promise<StoredImage[]> {
  return store.prisma.image.findMany({
    where: { study: { patientRef }, predictions: { none: { runId } } },
    orderBy: [{ study: { studyDate: "asc" } }, { id: "asc" }],
  });
}

/** Whether any image row keeps this file (as its location or its original): if not, it may go. */
export async function contentStoreFileInUse(
  store: Store | { prisma: Tx },
  location: string,
): Promise<boolean> {
  const count = await store.prisma.image.count({
    where: { OR: [{ location }, { sourceLocation: location }] },
  });
  return count > 0;
}
