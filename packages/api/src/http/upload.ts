import { formatBytes, type InputLimits, inputLimits } from "@cxrlab/core/limits";
import { imageStoreDir } from "@cxrlab/core/paths";
import {
  type DemographicField,
  type DemographicsOf,
  demographicEvents,
  type IngestContent,
  type IngestedFile,
  ingestContents,
  type RejectionKind,
  type Store,
} from "@cxrlab/db";
import type { ArrivalPredictions } from "@cxrlab/queue";
import type { Access } from "../auth/access.ts";
import { sharedStore } from "../context.ts";
import { queueArrivedPredictions } from "../queue/arrival-predictions.ts";
import { type Authorized, authorizeRequest } from "./authorize.ts";
import type { HandlerOptions } from "./image.ts";
import { parseMultipart, readBodyWithin } from "./request-body.ts";
import { errorResponse, HttpError, withoutPaths } from "./responses.ts";
import { requireSameOrigin } from "./same-origin.ts";
import { displayName, uploadFields, uploadProject } from "./upload-form.ts";

export interface UploadOptions extends HandlerOptions {
  /** Default: CXRLAB_IMAGE_STORE or ~/.local/share/cxrlab/images. */
  imageStore?: string;
  /** Default: core's inputLimits() (environment). */
  limits?: Partial<InputLimits>;
}

/** One uploaded file in the response; `image` is left out for a copy archived where the viewer may not read. */
export interface UploadedFile {
  file: string;
  format: IngestedFile["format"];
  image?: { id: number; patientId: string; issuer: string };
}

/** Which file and patient a demographics entry is about; the patient is left out where the viewer may not read. */
interface UploadedDemographics {
  file: string;
  patientId?: string;
  issuer?: string;
  field: DemographicField;
}

export interface UploadReport {
  project: { id: number; name: string };
  new: UploadedFile[];
  known: UploadedFile[];
  rejected: { file: string; reason: string; kind: RejectionKind | "size" }[];
  /** A known patient's demographics a file disagreed on: the archive kept its value (`kept`, withheld where the viewer may not read). */
  conflicts: (UploadedDemographics & { kept?: string; refused: string })[];
  /** A known patient's empty demographics a file filled in. */
  filled: (UploadedDemographics & { value: string })[];
  /** The new images' predictions queued with the project's default model, or why not. */
  predictions: ArrivalPredictions;
}

/** The status a request gets when every file it sent was refused for this reason. */
const REJECTION_STATUS: Record<UploadReport["rejected"][number]["kind"], number> = {
  size: 413,
  format: 415,
  pixels: 422,
  content: 422,
};

/**
 * POST /api/uploads (multipart/form-data): image files (PNG, JPEG, DICOM, told apart by their bytes)
 * into the patient archive of the form's `project`, with optional patient and study fields for
 * PNG/JPEG. Answers with what became new, was already known, or was rejected and why: 200 when any
 * file was taken, else the status of the rejections (413 too large, 415 not an image, 422 refused).
 */
export async function handleUpload(request: Request, options: UploadOptions = {}): Promise<Response> {
  try {
    const store = options.store ?? (await sharedStore());
    const { access, audit } = await authorizeRequest(request, store, "http.upload");
    // Both before a byte of the body is read: 401 for nobody signed in, 403 for another site's page.
    requireSameOrigin(request);
    const limits = { ...inputLimits(), ...options.limits };
    const release = takeUploadSlot(limits.concurrentUploads);
    try {
      return await receiveUpload(request, store, access, audit, limits, options);
    } finally {
      release();
    }
  } catch (err) {
    return errorResponse(err);
  }
}

/** Uploads being received now, on this server (process). */
let uploadsInProgress = 0;

/** Seconds a client refused for a full server is told to wait. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A slot among the `limit` uploads this server takes in at once, else 503 with Retry-After: every
 * upload holds its body in memory, so concurrent ones would multiply it. Returns its release.
 */
function takeUploadSlot(limit: number): () => void {
  if (uploadsInProgress >= limit) {
    throw new HttpError(
      503,
      `the server is taking in ${uploadsInProgress} uploads already (CXRLAB_UPLOAD_CONCURRENCY = ${limit}); try again in a few seconds`,
      { "Retry-After": String(RETRY_AFTER_SECONDS) },
    );
  }
  uploadsInProgress += 1;
  let released = false;
  return () => {
    if (!released) uploadsInProgress -= 1;
    released = true;
  };
}

/** The upload's body read, parsed, archived and audited; the report as the response. */
async function receiveUpload(
  request: Request,
  store: Store,
  access: Access,
  audit: Authorized["audit"],
  limits: InputLimits,
  options: UploadOptions,
): Promise<Response> {
  const form = await parseMultipart(
    request.headers.get("content-type"),
    await readBodyWithin(request, limits.requestBytes),
  );
  const project = await writableProject(store, access, uploadProject(form));
  const fields = uploadFields(form);
  const { contents, oversized } = await uploadedContents(form, limits.fileBytes);
  // Patients of projects the viewer may not read are never named back, not even in a refusal.
  const mayRead = (projectId: number | null) => access.can("patients:read", projectId);
  const ingested = await ingestContents(store, contents, {
    imageStore: options.imageStore ?? imageStoreDir(),
    project: project.name,
    mayNamePatientsOf: mayRead,
    maxPixels: limits.pixels,
    fields,
  });
  for (const [status, entries] of [
    ["new", ingested.new],
    ["known", ingested.known],
  ] as const) {
    for (const entry of entries) {
      await audit({
        action: "patient.image.upload",
        targetType: "image",
        targetId: String(entry.imageId),
        projectId: entry.projectId,
        details: { file: entry.file, status, format: entry.format, patientId: entry.patientId },
      });
    }
  }
  for (const event of demographicEvents(ingested)) await audit(event);
  const predictions = await queueArrivedPredictions(store, ingested, audit);
  const shown = (entry: IngestedFile): UploadedFile => ({
    file: entry.file,
    format: entry.format,
    ...(mayRead(entry.projectId) && {
      image: { id: entry.imageId, patientId: entry.patientId, issuer: entry.issuer },
    }),
  });
  const whose = (e: DemographicsOf) => ({
    file: e.file,
    ...(mayRead(e.projectId) && { patientId: e.patientId, issuer: e.issuer }),
  });
  const report: UploadReport = {
    project,
    new: ingested.new.map(shown),
    known: ingested.known.map(shown),
    // A reason can come from a file system error naming the image store's files.
    rejected: [...oversized, ...ingested.rejected].map((r) => ({ ...r, reason: withoutPaths(r.reason) })),
    conflicts: ingested.conflicts.map((c) => ({
      ...whose(c),
      field: c.field,
      ...(mayRead(c.projectId) && { kept: c.kept }),
      refused: c.refused,
    })),
    filled: ingested.filled.map((f) => ({ ...whose(f), field: f.field, value: f.value })),
    predictions,
  };
  return Response.json(report, { status: reportStatus(report), headers: { "Cache-Control": "no-store" } });
}

/** The project named by the form, if the viewer may add patients' images there (403 otherwise, even if unknown). */
async function writableProject(
  store: Store,
  access: Access,
  which: { id: number } | { name: string },
): Promise<{ id: number; name: string }> {
  const project = await store.prisma.project.findUnique({ where: which, select: { id: true, name: true } });
  if (!project || !access.can("patients:write", project.id)) {
    const named = "id" in which ? `#${which.id}` : which.name;
    throw new HttpError(403, `you may not add images to project ${named}`);
  }
  return project;
}

type UploadedBlob = Exclude<ReturnType<FormData["getAll"]>[number], string>;

/** The form's files with display names; those above the per-file limit are rejected unread. */
async function uploadedContents(form: FormData, fileBytes: number) {
  const contents: IngestContent[] = [];
  const oversized: UploadReport["rejected"] = [];
  const files = form.getAll("files").filter((value): value is UploadedBlob => typeof value !== "string");
  if (files.length === 0) throw new HttpError(400, 'no files in the form (field "files")');
  for (const [i, file] of files.entries()) {
    const name = displayName(file.name, i);
    if (file.size > fileBytes) {
      oversized.push({
        file: name,
        reason: `${formatBytes(file.size)}, more than the limit of ${formatBytes(fileBytes)} a file`,
        kind: "size",
      });
    } else {
      // A view of the ArrayBuffer, not a further copy.
      contents.push({ file: name, bytes: Buffer.from(await file.arrayBuffer()) });
    }
  }
  // The form's copies of the files are no longer needed while the images are archived.
  form.delete("files");
  return { contents, oversized };
}

function reportStatus(report: UploadReport): number {
  if (report.new.length + report.known.length > 0) return 200;
  const statuses = new Set(report.rejected.map((r) => REJECTION_STATUS[r.kind]));
  return statuses.size === 1 ? [...statuses][0]! : 422;
}
