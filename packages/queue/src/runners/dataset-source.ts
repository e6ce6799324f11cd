import path from "node:path";
import { PATIENTS_FILE, writeDatasetFolder } from "@cxrlab/core/data";
import { datasetStoreDir } from "@cxrlab/core/paths";
import { findDatasetVersion, type Store } from "@cxrlab/db";
import { parseDatasetRef } from "@cxrlab/validators/datasets";

/** A dataset version laid out for training. */
export interface DatasetTrainingFolder {
  versionId: number;
  /** Keras-layout folder of its images. */
  dir: string;
  /** Its patients CSV, for the split by patient. */
  patients: string;
}

/**
 * Lays the project's dataset version `ref` (NAME@VERSION) out in the dataset store for training,
 * after checking every file's SHA-256 against its manifest (a changed or missing file stops it,
 * named). The folder is kept per version, so later runs on it rewrite nothing.
 */
export async function datasetTrainingFolder(
  store: Store,
  project: string,
  ref: string,
): Promise<DatasetTrainingFolder> {
  const version = await findDatasetVersion(store, project, parseDatasetRef(ref));
  if (!version)
    throw new Error(
      `--dataset ${ref}: no such dataset version in project "${project}" (cxrlab datasets list --project ${project})`,
    );
  const dir = path.join(datasetStoreDir(), `project-${version.projectId}`, version.ref);
  await writeDatasetFolder(version.ref, dir, version.entries);
  return { versionId: version.id, dir, patients: path.join(dir, PATIENTS_FILE) };
}
