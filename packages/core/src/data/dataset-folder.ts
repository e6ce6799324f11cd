import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../private-files.ts";
import { type DatasetManifestEntry, datasetManifestFingerprint } from "./dataset-manifest.ts";
import { sha256File } from "./file-info.ts";

/** A manifest entry with where its bytes are kept. */
export interface LocatedDatasetEntry extends DatasetManifestEntry {
  location: string;
}

/** The manifest CSV written beside the class folders. */
export const MANIFEST_FILE = "manifest.csv";
/** file,patient_id of every image, as `cxrlab train --patients` reads it. */
export const PATIENTS_FILE = "patients.csv";

const csvCell = (value: string): string =>
  /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
const csv = (rows: readonly (readonly string[])[]): string =>
  `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

/** The path of an entry inside the folder, relative: `<label>/<sha256><ext>`. */
export const entryFileName = (entry: LocatedDatasetEntry): string =>
  path.join(entry.label, `${entry.sha256}${path.extname(entry.location).toLowerCase()}`);

/** Throws naming the file when its SHA-256 (`actual`) is not the manifest's. */
function checkHash(dataset: string, entry: LocatedDatasetEntry, actual: string): void {
  if (actual !== entry.sha256)
    throw new Error(
      `dataset ${dataset}: ${entry.location} has changed since the dataset was made ` +
        `(SHA-256 ${actual}, the manifest says ${entry.sha256})`,
    );
}

const unreadable =
  (dataset: string, entry: LocatedDatasetEntry) =>
  (error: NodeJS.ErrnoException): never => {
    throw new Error(`dataset ${dataset}: cannot read ${entry.location} (${error.code ?? error.message})`);
  };

/** Checks every entry's file against its SHA-256; throws naming the first that changed or is gone. */
export async function verifyDatasetFiles(dataset: string, entries: readonly LocatedDatasetEntry[]) {
  for (const entry of entries)
    checkHash(dataset, entry, await sha256File(entry.location).catch(unreadable(dataset, entry)));
}

async function writePrivate(file: string, bytes: Uint8Array | string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, bytes, { mode: PRIVATE_FILE_MODE });
  await rename(temp, file);
}

/**
 * Lays a dataset version out in Keras' layout under `target`: a folder per class holding its images
 * named by SHA-256, a manifest CSV (file,sha256,label,patient,source) and a patients CSV (an image
 * without a patient is a group of its own). Every file's SHA-256 is checked against the manifest
 * before anything is written, and again as it is copied. A file already there with the right bytes
 * is kept, so laying out the same version again rewrites no image. Returns the manifest's fingerprint.
 */
export async function writeDatasetFolder(
  dataset: string,
  target: string,
  entries: readonly LocatedDatasetEntry[],
): Promise<string> {
  await verifyDatasetFiles(dataset, entries);
  await mkdirPrivate(target);
  for (const entry of entries) {
    const file = path.join(target, entryFileName(entry));
    if (existsSync(file) && (await sha256File(file)) === entry.sha256) continue;
    const bytes = await readFile(entry.location).catch(unreadable(dataset, entry));
    checkHash(dataset, entry, createHash("sha256").update(bytes).digest("hex"));
    await mkdirPrivate(path.dirname(file));
    await writePrivate(file, bytes);
  }
  const rows = entries.map((e) => [entryFileName(e), e.sha256, e.label, e.patient ?? "", e.source]);
  await writePrivate(
    path.join(target, MANIFEST_FILE),
    csv([["file", "sha256", "label", "patient", "source"], ...rows]),
  );
  await writePrivate(
    path.join(target, PATIENTS_FILE),
    csv([
      ["file", "patient_id"],
      ...entries.map((e) => [entryFileName(e), e.patient ?? `image:${e.sha256}`]),
    ]),
  );
  return datasetManifestFingerprint(entries);
}

/** Refuses a target that exists and is not an empty folder (an export never mixes datasets). */
export async function requireEmptyFolder(target: string): Promise<void> {
  if (!existsSync(target)) return;
  const names = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${target}: not a folder (${error.code ?? error.message})`);
  });
  if (names.length) throw new Error(`${target} is not empty: export into a new or empty folder`);
}
