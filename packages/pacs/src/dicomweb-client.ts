import { formatBytes } from "@cxrlab/core/limits";
import { allStrings, type DicomJsonDataset, datasets, firstString, items, TAG } from "./dicom-json.ts";
import { buildMultipart, MultipartError, multipartBoundary, parseMultipart } from "./multipart.ts";

/** Where and how to reach one PACS over DICOMweb. */
export interface DicomWebEndpoint {
  /** The source's name, for messages. */
  name: string;
  /** The DICOMweb root (QIDO-RS, WADO-RS and STOW-RS paths follow it). */
  url: string;
  /** The Authorization header's value, or null for none. */
  authorization: string | null;
  /** Each request, body included, fails after this long. */
  timeoutMs: number;
  /** Matches asked for per QIDO-RS request (`limit`): at most what the PACS answers in one. */
  pageSize: number;
  /** A search matching more than this stops with an error instead of paging on. */
  maxMatches: number;
}

/** Anything that went wrong talking to a PACS; the message names the source, its URL and what failed. */
export class PacsError extends Error {
  constructor(
    message: string,
    readonly kind: "unreachable" | "timeout" | "credentials" | "status" | "body",
  ) {
    super(message);
    this.name = "PacsError";
  }
}

interface Answer {
  status: number;
  contentType: string | null;
  warning: string | null;
  body: Buffer;
}

const JSON_ACCEPT = "application/dicom+json, application/json";

async function request(
  endpoint: DicomWebEndpoint,
  method: "GET" | "POST",
  route: string,
  options: { accept: string; maxBytes: number; body?: Buffer; contentType?: string; what: string },
): Promise<Answer> {
  const url = `${endpoint.url.replace(/\/+$/, "")}${route}`;
  const who = `PACS ${endpoint.name} (${url})`;
  const headers: Record<string, string> = { accept: options.accept };
  if (endpoint.authorization) headers.authorization = endpoint.authorization;
  if (options.contentType) headers["content-type"] = options.contentType;
  const seconds = `${Number((endpoint.timeoutMs / 1000).toFixed(1))} s`;
  const failure = (error: unknown, during: string): PacsError => {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || err.name === "AbortError")
      return new PacsError(`${who}: no complete answer to ${options.what} within ${seconds}`, "timeout");
    const cause = err.cause?.code ?? err.cause?.message ?? err.message;
    if (during === "connect")
      return new PacsError(
        `${who}: cannot connect for ${options.what} (${cause}); is the PACS up?`,
        "unreachable",
      );
    return new PacsError(`${who}: the answer to ${options.what} was cut off (${cause})`, "body");
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      // A copy on its own ArrayBuffer: what both Node's and the DOM's fetch types take.
      body: options.body ? new Uint8Array(options.body) : undefined,
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
  } catch (error) {
    throw failure(error, "connect");
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => {});
    throw new PacsError(
      `${who}: ${options.what} refused with ${response.status} ${response.statusText}: the source's credentials are wrong or missing (see cxrlab pacs add --help)`,
      "credentials",
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > options.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new PacsError(
          `${who}: the answer to ${options.what} is larger than ${formatBytes(options.maxBytes)} (CXRLAB_UPLOAD_MAX_BYTES); not read`,
          "body",
        );
      }
      chunks.push(Buffer.from(value));
    }
  } catch (error) {
    if (error instanceof PacsError) throw error;
    throw failure(error, "body");
  }
  const body = Buffer.concat(chunks);
  // Content-Length counts the bytes sent, which fetch has already decompressed when encoded.
  const declared = response.headers.get("content-encoding") ? null : response.headers.get("content-length");
  if (declared !== null && Number(declared) !== body.length) {
    throw new PacsError(
      `${who}: the answer to ${options.what} was cut off (${body.length} of ${declared} bytes)`,
      "body",
    );
  }
  if (response.status < 200 || response.status > 299) {
    const text = body.toString("utf8", 0, Math.min(body.length, 300)).replace(/\s+/g, " ").trim();
    throw new PacsError(
      `${who}: ${options.what} failed with ${response.status} ${response.statusText}${text ? `: ${text}` : ""}`,
      "status",
    );
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    warning: response.headers.get("warning"),
    body,
  };
}

/** Largest QIDO-RS answer read (a search returns metadata only). */
const MAX_SEARCH_BYTES = 32 * 1024 * 1024;

/** One QIDO-RS page: its matches and whether the PACS warned that more are to be had. */
async function searchPage(
  endpoint: DicomWebEndpoint,
  route: string,
  what: string,
): Promise<{ found: DicomJsonDataset[]; more: boolean }> {
  const answer = await request(endpoint, "GET", route, {
    accept: JSON_ACCEPT,
    maxBytes: MAX_SEARCH_BYTES,
    what,
  });
  // PS3.18 6.7.1.2: a PACS that returns fewer matches than there are may say so in a Warning header.
  const more = /additional results/i.test(answer.warning ?? "");
  if (answer.status === 204 || answer.body.length === 0) return { found: [], more };
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString("utf8"));
  } catch {
    throw new PacsError(`PACS ${endpoint.name} (${endpoint.url}): the answer to ${what} is not JSON`, "body");
  }
  try {
    return { found: datasets(json, `PACS ${endpoint.name} (${endpoint.url}): ${what}`), more };
  } catch (error) {
    throw new PacsError((error as Error).message, "body");
  }
}

/**
 * Every match of a QIDO-RS search, asked for `pageSize` at a time (`limit`, `offset`) until a page
 * comes back short without a warning of more; more than `maxMatches` is an error naming the search.
 */
async function search(
  endpoint: DicomWebEndpoint,
  path: string,
  params: URLSearchParams,
  what: string,
): Promise<DicomJsonDataset[]> {
  const all: DicomJsonDataset[] = [];
  let previousFirst: string | null = null;
  for (;;) {
    const page = new URLSearchParams(params);
    page.set("limit", String(endpoint.pageSize));
    page.set("offset", String(all.length));
    const { found, more } = await searchPage(endpoint, `${path}?${page}`, what);
    const first = found.length ? JSON.stringify(found[0]) : null;
    if (first !== null && first === previousFirst)
      throw new PacsError(
        `PACS ${endpoint.name} (${endpoint.url}): ${what} answered offset ${all.length} with the page before it: the PACS does not page (QIDO-RS limit/offset); give a --page-size above its number of matches`,
        "body",
      );
    previousFirst = first;
    all.push(...found);
    if (all.length > endpoint.maxMatches)
      throw new PacsError(
        `PACS ${endpoint.name} (${endpoint.url}): ${what} matches more than ${endpoint.maxMatches}; narrow it (--since, --modality) or raise --max-matches`,
        "body",
      );
    if (found.length === 0 || (found.length < endpoint.pageSize && !more)) return all;
  }
}

export interface StudyMatch {
  studyInstanceUid: string;
  /** YYYYMMDD, when the PACS has one. */
  studyDate: string | null;
  patientId: string | null;
  modalities: string[];
}

export interface StudyQuery {
  patientId?: string;
  /** YYYYMMDD: studies of this day or later. */
  since?: string;
  /**
   * Only studies with one of these modalities, or that report none (their series are filtered
   * later). Matched here on ModalitiesInStudy, not by the PACS: Orthanc 1.10 answers a paged
   * ModalitiesInStudy search with nothing past its first page.
   */
  modalities?: readonly string[];
}

/** QIDO-RS: the studies matching `query`. */
export async function searchStudies(endpoint: DicomWebEndpoint, query: StudyQuery): Promise<StudyMatch[]> {
  const params = new URLSearchParams();
  if (query.patientId) params.set("PatientID", query.patientId);
  if (query.since) params.set("StudyDate", `${query.since}-`);
  params.append("includefield", TAG.ModalitiesInStudy);
  params.append("includefield", TAG.StudyDate);
  const found = await search(endpoint, "/studies", params, "the study search (QIDO-RS)");
  return found.flatMap((d) => {
    const studyInstanceUid = firstString(d, TAG.StudyInstanceUID);
    if (!studyInstanceUid) return [];
    const modalities = allStrings(d, TAG.ModalitiesInStudy);
    const wanted = query.modalities;
    if (wanted && modalities.length && !modalities.some((m) => wanted.includes(m))) return [];
    return [
      {
        studyInstanceUid,
        studyDate: firstString(d, TAG.StudyDate) ?? null,
        patientId: firstString(d, TAG.PatientID) ?? null,
        modalities,
      },
    ];
  });
}

export interface SeriesMatch {
  seriesInstanceUid: string;
  modality: string | null;
}

/** QIDO-RS: the series of a study. */
export async function searchSeries(endpoint: DicomWebEndpoint, studyUid: string): Promise<SeriesMatch[]> {
  const found = await search(
    endpoint,
    `/studies/${encodeURIComponent(studyUid)}/series`,
    new URLSearchParams({ includefield: TAG.Modality }),
    `the series search of study ${studyUid} (QIDO-RS)`,
  );
  return found.flatMap((d) => {
    const seriesInstanceUid = firstString(d, TAG.SeriesInstanceUID);
    return seriesInstanceUid ? [{ seriesInstanceUid, modality: firstString(d, TAG.Modality) ?? null }] : [];
  });
}

export interface InstanceMatch {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string | null;
}

/** QIDO-RS: the instances of a series of a study (of the whole study without `seriesUid`), or one of them. */
export async function searchInstances(
  endpoint: DicomWebEndpoint,
  studyUid: string,
  options: { seriesUid?: string; sopInstanceUid?: string } = {},
): Promise<InstanceMatch[]> {
  const series = options.seriesUid ? `/series/${encodeURIComponent(options.seriesUid)}` : "";
  const filter = new URLSearchParams(
    options.sopInstanceUid ? { SOPInstanceUID: options.sopInstanceUid } : {},
  );
  const found = await search(
    endpoint,
    `/studies/${encodeURIComponent(studyUid)}${series}/instances`,
    filter,
    `the instance search of study ${studyUid} (QIDO-RS)`,
  );
  return found.flatMap((d) => {
    const seriesInstanceUid = firstString(d, TAG.SeriesInstanceUID) ?? options.seriesUid;
    const sopInstanceUid = firstString(d, TAG.SOPInstanceUID);
    if (!seriesInstanceUid || !sopInstanceUid) return [];
    return [
      {
        studyInstanceUid: studyUid,
        seriesInstanceUid,
        sopInstanceUid,
        sopClassUid: firstString(d, TAG.SOPClassUID) ?? null,
      },
    ];
  });
}

/** Room for a part's headers and the boundaries around one instance. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * WADO-RS: one instance's DICOM file as the PACS stores it (any transfer syntax), read from a
 * multipart/related answer of exactly one part of at most `maxBytes`.
 */
export async function retrieveInstance(
  endpoint: DicomWebEndpoint,
  instance: InstanceMatch,
  maxBytes: number,
): Promise<Buffer> {
  const { studyInstanceUid: study, seriesInstanceUid: series, sopInstanceUid: sop } = instance;
  const what = `the retrieval of instance ${sop} (WADO-RS)`;
  const answer = await request(
    endpoint,
    "GET",
    `/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}/instances/${encodeURIComponent(sop)}`,
    {
      accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
      maxBytes: maxBytes + MULTIPART_OVERHEAD,
      what,
    },
  );
  const who = `PACS ${endpoint.name} (${endpoint.url}): ${what}`;
  const boundary = multipartBoundary(answer.contentType);
  if (!boundary) throw new PacsError(`${who}: expected multipart/related, got ${answer.contentType}`, "body");
  let parts: ReturnType<typeof parseMultipart>;
  try {
    parts = parseMultipart(answer.body, boundary);
  } catch (error) {
    if (error instanceof MultipartError) throw new PacsError(`${who}: ${error.message}`, "body");
    throw error;
  }
  if (parts.length !== 1) throw new PacsError(`${who}: expected one DICOM part, got ${parts.length}`, "body");
  const [part] = parts as [(typeof parts)[0]];
  if (part.body.length > maxBytes) {
    throw new PacsError(
      `${who}: the instance is larger than ${formatBytes(maxBytes)} (CXRLAB_UPLOAD_MAX_BYTES); not read`,
      "body",
    );
  }
  return part.body;
}

export interface StoreOutcome {
  stored: string[];
  failed: { sopInstanceUid: string; reason: string }[];
}

/** STOW-RS: stores DICOM files into `studyUid`; the PACS's answer says which it took. */
export async function storeInstances(
  endpoint: DicomWebEndpoint,
  studyUid: string,
  files: readonly Buffer[],
): Promise<StoreOutcome> {
  const { body, contentType } = buildMultipart(files, "application/dicom");
  const what = `storing ${files.length} instance(s) into study ${studyUid} (STOW-RS)`;
  const answer = await request(endpoint, "POST", `/studies/${encodeURIComponent(studyUid)}`, {
    accept: JSON_ACCEPT,
    maxBytes: MAX_SEARCH_BYTES,
    body,
    contentType,
    what,
  });
  let json: DicomJsonDataset;
  try {
    json = JSON.parse(answer.body.toString("utf8")) as DicomJsonDataset;
  } catch {
    throw new PacsError(`PACS ${endpoint.name} (${endpoint.url}): the answer to ${what} is not JSON`, "body");
  }
  return {
    stored: items(json, TAG.ReferencedSOPSequence).flatMap(
      (i) => firstString(i, TAG.ReferencedSOPInstanceUID) ?? [],
    ),
    failed: items(json, TAG.FailedSOPSequence).map((i) => ({
      sopInstanceUid: firstString(i, TAG.ReferencedSOPInstanceUID) ?? "?",
      reason: `failure reason ${firstString(i, TAG.FailureReason) ?? "not given"}`,
    })),
  };
}
