import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseCsv } from "@cxrlab/core/data";
import { isDicom, parseDicomDate } from "@cxrlab/core/dicom";

export type SourceFormat = "dicom" | "png" | "jpeg";

/** What a file is, from its first bytes (never its name). */
export function sniffFormat(bytes: Uint8Array): SourceFormat | null {
  if (isDicom(bytes)) return "dicom";
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return null;
}

// Sidecars and notes that live beside images; a folder walk passes over them.
const NOT_IMAGES = new Set([".json", ".csv", ".txt", ".md"]);

/**
 * The files to ingest: each file named, and every file under each folder named (sorted, hidden
 * files and sidecar-like files skipped). Throws naming a path that does not exist.
 */
export async function listSources(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (!info) throw new Error(`${input}: no such file or folder`);
    if (info.isDirectory()) files.push(...(await walk(path.resolve(input))));
    else files.push(path.resolve(input));
  }
  return [...new Set(files)];
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile() && !NOT_IMAGES.has(path.extname(entry.name).toLowerCase())) files.push(full);
  }
  return files;
}

/** Archive fields given outside the image: flags, a sidecar row, or `<image>.json`. */
export interface SourceFields {
  patientId?: string;
  issuer?: string;
  /** YYYY-MM-DD or YYYYMMDD. */
  studyDate?: string;
  studyUid?: string;
  accession?: string;
  view?: string;
}

const COLUMNS: Record<string, keyof SourceFields> = {
  patient_id: "patientId",
  issuer: "issuer",
  study_date: "studyDate",
  study_uid: "studyUid",
  accession: "accession",
  view: "view",
};

function toFields(row: Record<string, unknown>, where: string): SourceFields {
  const fields: SourceFields = {};
  for (const [column, key] of Object.entries(COLUMNS)) {
    const value = row[column];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string" && typeof value !== "number") {
      throw new Error(`${where}: ${column} must be text, got ${JSON.stringify(value)}`);
    }
    fields[key] = String(value).trim();
  }
  return fields;
}

/**
 * A sidecar (CSV with columns file,patient_id,issuer,study_date,study_uid,accession,view, or JSON:
 * an array of objects with the same keys) as absolute image path -> fields; `file` is relative
 * to the sidecar's folder unless absolute.
 */
export async function readSidecar(file: string): Promise<Map<string, SourceFields>> {
  const text = await readFile(file, "utf8").catch((error: Error) => {
    throw new Error(`sidecar ${file}: ${error.message}`);
  });
  let rows: Record<string, unknown>[];
  if (file.toLowerCase().endsWith(".json")) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error(`sidecar ${file}: expected a JSON array of objects`);
    rows = parsed as Record<string, unknown>[];
  } else {
    rows = parseCsv(text, file);
  }
  const byPath = new Map<string, SourceFields>();
  rows.forEach((row, i) => {
    const where = `sidecar ${file} row ${i + 1}`;
    if (typeof row.file !== "string" || !row.file) throw new Error(`${where}: no "file"`);
    byPath.set(path.resolve(path.dirname(file), row.file), toFields(row, where));
  });
  return byPath;
}

/** `<image>.json` (e.g. x.png.json) or `<image without extension>.json` beside the image, if any. */
export async function readImageSidecar(image: string): Promise<SourceFields | undefined> {
  const parsed = path.parse(image);
  // Images being ingested are runtime input, not part of the app: the bundler must not trace them.
  for (const candidate of [
    `${image}.json`,
    path.join(/* turbopackIgnore: true */ parsed.dir, `${parsed.name}.json`),
  ]) {
    if (!existsSync(/* turbopackIgnore: true */ candidate)) continue;
    const value: unknown = JSON.parse(await readFile(/* turbopackIgnore: true */ candidate, "utf8"));
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`${candidate}: expected a JSON object`);
    }
    return toFields(value as Record<string, unknown>, candidate);
  }
  return undefined;
}

/** YYYY-MM-DD or YYYYMMDD as a UTC date; throws naming `where` for anything else. */
export function parseStudyDate(value: string, where: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? parseDicomDate(value.replaceAll("-", ""))
    : parseDicomDate(value);
  if (!date) throw new Error(`${where}: study date "${value}" is not a date (YYYY-MM-DD)`);
  return date;
}
